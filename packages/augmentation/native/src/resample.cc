// resampleWindow: the arithmetic of src/bilinearUpscale.ts's resampleWindow (Pillow's
// ImagingResampleHorizontal_8bpc then ..._Vertical_8bpc: 22-bit fixed-point weights, +2²¹
// rounding, clip to uint8 after each pass), in C. The JS side computes the coefficients
// (triangleCoefficients) and passes them in, so both implementations use the same weights and
// give the same bits; this one is only faster.
//
// resampleWindow(src: Uint8Array, srcWidth, channels, srcX, srcY,
//                xFirst: Int32Array, xCount: Int32Array, xFixed: Int32Array, xK,
//                yFirst: Int32Array, yCount: Int32Array, yFixed: Int32Array, yK,
//                flip: boolean, shift: Float64Array (one per channel), out: Uint8Array | Float32Array)
// `out` holds yCount.length rows of xCount.length pixels; every index into `src` is checked
// before any pixel is read.
#include "resample.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr int kPrecisionBits = 22;
constexpr int32_t kHalf = 1 << (kPrecisionBits - 1);

inline uint8_t clip8(int32_t s) {
  const int32_t v = s >> kPrecisionBits;
  return v < 0 ? 0 : v > 255 ? 255 : static_cast<uint8_t>(v);
}

// Float output adds the channel's shift in double and rounds once to float32, as the JS stores
// `clip8(…) + shift` into a Float32Array.
inline void put(uint8_t *o, uint8_t v, double) { *o = v; }
inline void put(float *o, uint8_t v, double shift) {
  *o = static_cast<float>(static_cast<double>(v) + shift);
}

struct Axis {
  const int32_t *first;
  const int32_t *count;
  const int32_t *fixed;
  int k;
  int n;
};

template <typename Out>
void resample(const uint8_t *d, int srcWidth, int c, int srcX, int srcY, const Axis &x,
              const Axis &y, bool flip, const double *shift, Out *out) {
  const int rowIn = srcWidth * c;
  const int rowLen = x.n * c;
  // Only the source rows the vertical pass reads go through the horizontal pass.
  int yLo = y.first[0] - srcY;
  int yHi = yLo;
  for (int j = 0; j < y.n; j++) {
    yLo = std::min(yLo, y.first[j] - srcY);
    yHi = std::max(yHi, y.first[j] + y.count[j] - srcY);
  }
  std::vector<uint8_t> tmp(static_cast<size_t>(yHi - yLo) * rowLen);
  for (int r = yLo; r < yHi; r++) {
    const uint8_t *base = d + static_cast<size_t>(r) * rowIn;
    uint8_t *t = tmp.data() + static_cast<size_t>(r - yLo) * rowLen;
    for (int k = 0; k < x.n; k++) {
      const int n = x.count[k];
      const int32_t *w = x.fixed + static_cast<size_t>(k) * x.k;
      const uint8_t *a = base + static_cast<size_t>(x.first[k] - srcX) * c;
      uint8_t *o = t + static_cast<size_t>(flip ? x.n - 1 - k : k) * c;
      for (int ch = 0; ch < c; ch++) {
        int32_t s = kHalf;
        for (int i = 0; i < n; i++) s += a[i * c + ch] * w[i];
        o[ch] = clip8(s);
      }
    }
  }
  std::vector<int32_t> acc(rowLen);
  for (int j = 0; j < y.n; j++) {
    const uint8_t *t0 = tmp.data() + static_cast<size_t>(y.first[j] - srcY - yLo) * rowLen;
    const int n = y.count[j];
    const int32_t *w = y.fixed + static_cast<size_t>(j) * y.k;
    // Tap by tap over whole rows: contiguous reads the compiler vectorises.
    for (int i = 0; i < rowLen; i++) acc[i] = kHalf;
    for (int tap = 0; tap < n; tap++) {
      const uint8_t *t = t0 + static_cast<size_t>(tap) * rowLen;
      const int32_t wt = w[tap];
      for (int i = 0; i < rowLen; i++) acc[i] += t[i] * wt;
    }
    Out *o = out + static_cast<size_t>(j) * rowLen;
    for (int i = 0; i < rowLen; i += c)
      for (int ch = 0; ch < c; ch++) put(o + i + ch, clip8(acc[i + ch]), shift[ch]);
  }
}

int integer(const Napi::Value &v, const char *name) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 1 << 24) || d != static_cast<int>(d))
    throw Napi::RangeError::New(v.Env(), std::string(name) + " must be an integer in 0..2^24");
  return static_cast<int>(d);
}

Axis axis(const Napi::CallbackInfo &info, int at, const char *name) {
  for (int i = 0; i < 3; i++) {
    if (!info[at + i].IsTypedArray() ||
        info[at + i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw Napi::TypeError::New(info.Env(), std::string(name) + " coefficients must be Int32Arrays");
  }
  auto first = info[at].As<Napi::Int32Array>();
  auto count = info[at + 1].As<Napi::Int32Array>();
  auto fixed = info[at + 2].As<Napi::Int32Array>();
  const int k = integer(info[at + 3], "ksize");
  const int n = static_cast<int>(first.ElementLength());
  if (n == 0 || count.ElementLength() != static_cast<size_t>(n) ||
      fixed.ElementLength() < static_cast<size_t>(n) * k)
    throw Napi::RangeError::New(info.Env(), std::string(name) + " coefficient arrays disagree in size");
  for (int i = 0; i < n; i++) {
    if (count[i] < 1 || count[i] > k)
      throw Napi::RangeError::New(info.Env(), std::string(name) + " tap count out of range");
  }
  return {first.Data(), count.Data(), fixed.Data(), k, n};
}

}  // namespace

Napi::Value ResampleWindow(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 16 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !info[14].IsTypedArray() ||
      info[14].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array || !info[15].IsTypedArray())
    throw Napi::TypeError::New(env, "resampleWindow: see native/src/resample.cc for the arguments");
  auto src = info[0].As<Napi::Uint8Array>();
  const int srcWidth = integer(info[1], "srcWidth");
  const int c = integer(info[2], "channels");
  const int srcX = integer(info[3], "srcX");
  const int srcY = integer(info[4], "srcY");
  const Axis x = axis(info, 5, "x");
  const Axis y = axis(info, 9, "y");
  const bool flip = info[13].ToBoolean();
  auto shift = info[14].As<Napi::Float64Array>();
  if (c < 1 || c > 4 || shift.ElementLength() != static_cast<size_t>(c) || srcWidth == 0)
    throw Napi::RangeError::New(env, "resampleWindow: bad channels, shift or srcWidth");
  // Every source index the passes read lies inside `src`.
  const size_t rows = src.ElementLength() / (static_cast<size_t>(srcWidth) * c);
  for (int k = 0; k < x.n; k++) {
    if (x.first[k] < srcX || x.first[k] - srcX + x.count[k] > srcWidth)
      throw Napi::RangeError::New(env, "resampleWindow: x taps outside the source window");
  }
  for (int j = 0; j < y.n; j++) {
    if (y.first[j] < srcY || static_cast<size_t>(y.first[j] - srcY + y.count[j]) > rows)
      throw Napi::RangeError::New(env, "resampleWindow: y taps outside the source window");
  }
  const size_t need = static_cast<size_t>(x.n) * y.n * c;
  auto out = info[15].As<Napi::TypedArray>();
  if (out.ElementLength() != need)
    throw Napi::RangeError::New(env, "resampleWindow: out has the wrong length");
  if (out.TypedArrayType() == napi_uint8_array) {
    resample(src.Data(), srcWidth, c, srcX, srcY, x, y, flip, shift.Data(),
             out.As<Napi::Uint8Array>().Data());
  } else if (out.TypedArrayType() == napi_float32_array) {
    resample(src.Data(), srcWidth, c, srcX, srcY, x, y, flip, shift.Data(),
             out.As<Napi::Float32Array>().Data());
  } else {
    throw Napi::TypeError::New(env, "resampleWindow: out must be a Uint8Array or Float32Array");
  }
  return env.Undefined();
}
