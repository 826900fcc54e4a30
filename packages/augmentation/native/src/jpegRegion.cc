// rectifier_jpeg: decodes one rectangle of a JPEG to 8-bit RGB with libjpeg-turbo, synchronously
// on the calling thread (the main thread or a worker of the augmentation pool).
//
// Contract with src/jpegRegion.ts:
//   decodeRegion(bytes: Uint8Array, left, top, width, height, out?: Uint8Array) → Uint8Array of
//   width·height·3 (RGB, rows top..top+height−1, columns left..left+width−1 of the full decoded
//   image): `out` when given (it must have exactly that length), else a new array.
//   Throws an Error carrying libjpeg's message on anything it reports, warnings included
//   (corrupt or truncated data, CMYK/YCCK, an out-of-range rectangle): the JS side then decodes
//   through sharp, which decides what such a file gives (pixels or an ImageDecodeError).
//   resampleWindow(…): Pillow's bilinear resampling of a decoded window (resample.cc).
//   contract: the number below; the JS side refuses an addon built from other sources.
//
// The pixels are the ones libvips' JPEG loader gives for the whole image (same IDCT, JDCT_ISLOW,
// and fancy upsampling, both libjpeg's defaults, which libvips keeps): only the work is cut —
// jpeg_crop_scanline decodes the iMCU columns that hold the rectangle, jpeg_skip_scanlines
// passes over the rows above it, and decoding stops after its last row.
#include <napi.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>

#include "resample.h"

namespace {

constexpr int kContract = 3;

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void onError(j_common_ptr cinfo) {
  auto *err = reinterpret_cast<ErrorManager *>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings (level −1) end the decode too: libjpeg then pads or guesses pixels, and which of
// those sharp turns into an error depends on its `failOn`; the sharp path decides.
void onMessage(j_common_ptr cinfo, int level) {
  if (level < 0) onError(cinfo);
}

// Plain C control flow only between setjmp and longjmp: no object with a destructor lives in
// this frame, so the jump skips nothing. `out` holds width·height·3 bytes. Returns nullptr or
// the message of what went wrong (in `err.message`).
const char *decode(const unsigned char *src, size_t size, unsigned left, unsigned top,
                   unsigned width, unsigned height, unsigned char *out, ErrorManager &err) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = onError;
  err.pub.emit_message = onMessage;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return err.message;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, src, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  const bool colour = cinfo.num_components == 3 &&
                      (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB);
  const bool grey = cinfo.num_components == 1 && cinfo.jpeg_color_space == JCS_GRAYSCALE;
  if (!colour && !grey) {
    std::snprintf(err.message, sizeof err.message,
                  "not a grey, YCbCr or RGB JPEG (%d components)", cinfo.num_components);
    jpeg_destroy_decompress(&cinfo);
    return err.message;
  }
  if (width == 0 || height == 0 || left + width > cinfo.image_width ||
      top + height > cinfo.image_height) {
    std::snprintf(err.message, sizeof err.message,
                  "region %u,%u %ux%u is outside the %ux%u image", left, top, width, height,
                  cinfo.image_width, cinfo.image_height);
    jpeg_destroy_decompress(&cinfo);
    return err.message;
  }
  cinfo.out_color_space = JCS_RGB;  // grey is replicated, as libvips' B_W → sRGB
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  jpeg_start_decompress(&cinfo);

  // Fancy upsampling treats the edges of a cropped decode as image edges, so the columns just
  // inside them would differ from a full decode: ask for one more column on each side (the
  // library then widens to whole iMCUs) and copy out the exact ones.
  JDIMENSION x0 = 0;
  JDIMENSION cropWidth = cinfo.output_width;
  if (width < cinfo.output_width) {
    x0 = left > 0 ? left - 1 : 0;
    const JDIMENSION x1 = left + width < cinfo.output_width ? left + width + 1 : cinfo.output_width;
    cropWidth = x1 - x0;
    jpeg_crop_scanline(&cinfo, &x0, &cropWidth);
  }
  const unsigned skip = left - x0;

  JSAMPARRAY row = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                              cinfo.output_width * 3, 1);
  if (top > 0) jpeg_skip_scanlines(&cinfo, top);
  for (unsigned y = 0; y < height; y++) {
    jpeg_read_scanlines(&cinfo, row, 1);
    std::memcpy(out + static_cast<size_t>(y) * width * 3, row[0] + skip * 3,
                static_cast<size_t>(width) * 3);
  }
  // Rows below the rectangle are never decoded.
  if (cinfo.output_scanline < cinfo.output_height) jpeg_abort_decompress(&cinfo);
  else jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return nullptr;
}

unsigned dimension(const Napi::Value &v, const char *name) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 65535) || d != static_cast<unsigned>(d))
    throw Napi::RangeError::New(v.Env(), std::string(name) + " must be an integer in 0..65535");
  return static_cast<unsigned>(d);
}

Napi::Value DecodeRegion(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || info.Length() > 6 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env,
                               "decodeRegion(bytes: Uint8Array, left, top, width, height, out?)");
  auto bytes = info[0].As<Napi::Uint8Array>();
  const unsigned left = dimension(info[1], "left");
  const unsigned top = dimension(info[2], "top");
  const unsigned width = dimension(info[3], "width");
  const unsigned height = dimension(info[4], "height");
  const size_t size = static_cast<size_t>(width) * height * 3;
  Napi::Uint8Array out;
  if (info.Length() == 6 && !info[5].IsUndefined()) {
    const Napi::Value given = info[5];
    if (!given.IsTypedArray() ||
        given.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
        given.As<Napi::Uint8Array>().ElementLength() != size)
      throw Napi::TypeError::New(env,
                                 "decodeRegion: out must be a Uint8Array of width·height·3 bytes");
    out = given.As<Napi::Uint8Array>();
  } else {
    out = Napi::Uint8Array::New(env, size);
  }
  ErrorManager err{};
  if (const char *message =
          decode(bytes.Data(), bytes.ByteLength(), left, top, width, height, out.Data(), err))
    throw Napi::Error::New(env, message);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("decodeRegion", Napi::Function::New(env, DecodeRegion));
  exports.Set("resampleWindow", Napi::Function::New(env, ResampleWindow));
  exports.Set("contract", Napi::Number::New(env, kContract));
  exports.Set("libjpegTurbo", Napi::Number::New(env, LIBJPEG_TURBO_VERSION_NUMBER));
  return exports;
}

}  // namespace

NODE_API_MODULE(rectifier_jpeg, Init)
