// Pillow's bilinear resampling of a window, in C (resample.cc); registered by jpegRegion.cc.
#pragma once
#include <napi.h>

Napi::Value ResampleWindow(const Napi::CallbackInfo &info);
