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
#include <memory>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <string>
#include <vector>

namespace {

constexpr int kPrecisionBits = 22;
constexpr int32_t kHalf = 1 << (kPrecisionBits - 1);

// The two passes are compiled twice on x86-64 ELF targets (GCC 6+, Clang 14+): for AVX2 and for
// the baseline, picked once at load by the dynamic linker (an ifunc), so the addon still runs on
// any x86-64 (no -march=native). Baseline x86-64 has no 32-bit vector multiply (pmulld is
// SSE4.1); AVX2 does eight per instruction. Other targets compile them once, as they are.
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define RECTIFIER_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef RECTIFIER_CLONES
#define RECTIFIER_CLONES
#endif
// The per-shape loops below are inlined into each clone, so they are compiled for its target.
#if defined(__GNUC__)
#define RECTIFIER_INLINE inline __attribute__((always_inline))
#else
#define RECTIFIER_INLINE inline
#endif

RECTIFIER_INLINE int32_t clip8(int32_t s) {
  const int32_t v = s >> kPrecisionBits;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

// Float output adds the channel's shift in double and rounds once to float32, as the JS stores
// `clip8(…) + shift` into a Float32Array.
RECTIFIER_INLINE void put(uint8_t *o, int32_t v, double) { *o = static_cast<uint8_t>(v); }
RECTIFIER_INLINE void put(float *o, int32_t v, double shift) {
  *o = static_cast<float>(static_cast<double>(v) + shift);
}

struct Axis {
  const int32_t *first;
  const int32_t *count;
  const int32_t *fixed;
  int k;
  int n;
};

// The horizontal pass's columns with the same number of taps each (`taps`, the largest count):
// a column's weights are placed at its taps' position inside a run of `taps` source pixels that
// lies within the row, zeros elsewhere. Adding 0·pixel changes no sum, so the bits are
// Pillow's, and the inner loop has a fixed trip count instead of a data-dependent one.
struct Columns {
  std::vector<int32_t> src;  // byte offset of each column's first (padded) tap in a source row
  std::vector<int32_t> dst;  // byte offset of each column in a tmp row (flip applied)
  std::vector<int32_t> w;    // `taps` weights per column
  int taps;
  // The same weights by blocks of 8 columns, tap-major within a block (the AVX2 RGB path's
  // layout: one load gives tap i's weight for 8 columns).
  std::vector<int32_t> blockW;
};

Columns columns(const Axis &x, int srcX, int srcWidth, int c, bool flip) {
  int taps = 1;
  for (int k = 0; k < x.n; k++) taps = std::max(taps, x.count[k]);
  Columns cols{std::vector<int32_t>(x.n), std::vector<int32_t>(x.n),
               std::vector<int32_t>(static_cast<size_t>(x.n) * taps, 0), taps, {}};
  for (int k = 0; k < x.n; k++) {
    const int first = x.first[k] - srcX;
    // taps ≤ srcWidth: every column's taps lie in the row (checked by the caller)
    const int start = std::min(first, srcWidth - taps);
    cols.src[k] = start * c;
    cols.dst[k] = (flip ? x.n - 1 - k : k) * c;
    const int32_t *w = x.fixed + static_cast<size_t>(k) * x.k;
    int32_t *padded = cols.w.data() + static_cast<size_t>(k) * taps + (first - start);
    for (int i = 0; i < x.count[k]; i++) padded[i] = w[i];
  }
  const int blocks = x.n / 8;
  cols.blockW.resize(static_cast<size_t>(blocks) * taps * 8);
  for (int b = 0; b < blocks; b++)
    for (int i = 0; i < taps; i++)
      for (int j = 0; j < 8; j++)
        cols.blockW[(static_cast<size_t>(b) * taps + i) * 8 + j] =
            cols.w[static_cast<size_t>(b * 8 + j) * taps + i];
  return cols;
}

// One source row → one tmp row; C channels and N taps known at compile time (0: at run time).
// Columns [k0, n) of it.
template <int C, int N>
RECTIFIER_INLINE void horizontalRow(const uint8_t *__restrict base, const Columns &cols, int k0,
                                    int n, int c, uint8_t *__restrict t) {
  const int taps = N > 0 ? N : cols.taps;
  const int ch = C > 0 ? C : c;
  const int32_t *src = cols.src.data();
  const int32_t *dst = cols.dst.data();
  const int32_t *wt = cols.w.data();
  for (int k = k0; k < n; k++) {
    const uint8_t *a = base + src[k];
    const int32_t *w = wt + static_cast<size_t>(k) * taps;
    int32_t s[C > 0 ? C : 4];
    for (int j = 0; j < ch; j++) s[j] = kHalf;
    // tap-outer, one accumulator per channel: each tap's pixel is read once, contiguously
    for (int i = 0; i < taps; i++) {
      const int32_t wi = w[i];
      for (int j = 0; j < ch; j++) s[j] += a[i * ch + j] * wi;
    }
    uint8_t *o = t + dst[k];
    for (int j = 0; j < ch; j++) o[j] = static_cast<uint8_t>(clip8(s[j]));
  }
}

template <int C>
RECTIFIER_INLINE void horizontalRows(const uint8_t *d, int rowIn, const Columns &cols, int k0,
                                     int n, int c, int r0, int r1, int tmp0, uint8_t *tmp,
                                     int rowLen) {
  for (int r = r0; r < r1; r++) {
    const uint8_t *base = d + static_cast<size_t>(r) * rowIn;
    uint8_t *t = tmp + static_cast<size_t>(r - tmp0) * rowLen;
    // enlargements have 2 taps, reductions down to ½ 3–5 (the window path's range)
    switch (cols.taps) {
      case 1: horizontalRow<C, 1>(base, cols, k0, n, c, t); break;
      case 2: horizontalRow<C, 2>(base, cols, k0, n, c, t); break;
      case 3: horizontalRow<C, 3>(base, cols, k0, n, c, t); break;
      case 4: horizontalRow<C, 4>(base, cols, k0, n, c, t); break;
      case 5: horizontalRow<C, 5>(base, cols, k0, n, c, t); break;
      default: horizontalRow<C, 0>(base, cols, k0, n, c, t); break;
    }
  }
}

/**
 * Columns [k0, n) of source rows [r0, r1) → tmp rows from tmp0, clipped to uint8 (Pillow's
 * first pass).
 */
RECTIFIER_CLONES void horizontalPass(const uint8_t *d, int rowIn, const Columns &cols, int k0,
                                     int n, int c, int r0, int r1, int tmp0, uint8_t *tmp,
                                     int rowLen) {
  if (c == 3) horizontalRows<3>(d, rowIn, cols, k0, n, c, r0, r1, tmp0, tmp, rowLen);
  else if (c == 1) horizontalRows<1>(d, rowIn, cols, k0, n, c, r0, r1, tmp0, tmp, rowLen);
  else horizontalRows<0>(d, rowIn, cols, k0, n, c, r0, r1, tmp0, tmp, rowLen);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define RECTIFIER_AVX2_RGB 1
// RGB source rows with AVX2, eight output columns at a time: per tap, one 32-bit gather fetches
// the eight columns' pixels (R, G, B and the next pixel's first byte, masked off), and the three
// channels are multiplied and summed in 32-bit lanes — the same integer sums as the scalar
// loop, so the same bits. The gather reads one byte past a row's last pixel: the caller gives
// this only rows that have a next row. Columns past the last full block of 8: scalar.
__attribute__((target("avx2"))) void horizontalRgbAvx2(const uint8_t *d, int rowIn,
                                                       const Columns &cols, int r0, int r1,
                                                       int tmp0, uint8_t *tmp, int rowLen) {
  const int taps = cols.taps;
  const int blocks = static_cast<int>(cols.src.size()) / 8;
  const __m256i half = _mm256_set1_epi32(kHalf);
  const __m256i byte = _mm256_set1_epi32(0xff);
  const __m256i zero = _mm256_setzero_si256();
  alignas(32) uint32_t packed[8];
  for (int r = r0; r < r1; r++) {
    const int *base = reinterpret_cast<const int *>(d + static_cast<size_t>(r) * rowIn);
    uint8_t *t = tmp + static_cast<size_t>(r - tmp0) * rowLen;
    for (int b = 0; b < blocks; b++) {
      const __m256i src =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(cols.src.data() + b * 8));
      const int32_t *w = cols.blockW.data() + static_cast<size_t>(b) * taps * 8;
      __m256i sr = half, sg = half, sb = half;
      for (int i = 0; i < taps; i++) {
        const __m256i px =
            _mm256_i32gather_epi32(base, _mm256_add_epi32(src, _mm256_set1_epi32(3 * i)), 1);
        const __m256i wi = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(w + i * 8));
        sr = _mm256_add_epi32(sr, _mm256_mullo_epi32(_mm256_and_si256(px, byte), wi));
        sg = _mm256_add_epi32(
            sg, _mm256_mullo_epi32(_mm256_and_si256(_mm256_srli_epi32(px, 8), byte), wi));
        sb = _mm256_add_epi32(
            sb, _mm256_mullo_epi32(_mm256_and_si256(_mm256_srli_epi32(px, 16), byte), wi));
      }
      // clip8 in every lane, then R | G << 8 | B << 16 per column
      sr = _mm256_min_epi32(_mm256_max_epi32(_mm256_srai_epi32(sr, kPrecisionBits), zero), byte);
      sg = _mm256_min_epi32(_mm256_max_epi32(_mm256_srai_epi32(sg, kPrecisionBits), zero), byte);
      sb = _mm256_min_epi32(_mm256_max_epi32(_mm256_srai_epi32(sb, kPrecisionBits), zero), byte);
      const __m256i rgb = _mm256_or_si256(
          sr, _mm256_or_si256(_mm256_slli_epi32(sg, 8), _mm256_slli_epi32(sb, 16)));
      _mm256_store_si256(reinterpret_cast<__m256i *>(packed), rgb);
      const int32_t *dst = cols.dst.data() + b * 8;
      for (int j = 0; j < 8; j++) {
        uint8_t *o = t + dst[j];
        o[0] = static_cast<uint8_t>(packed[j]);
        o[1] = static_cast<uint8_t>(packed[j] >> 8);
        o[2] = static_cast<uint8_t>(packed[j] >> 16);
      }
    }
  }
  const int n = static_cast<int>(cols.src.size());
  if (blocks * 8 < n) horizontalPass(d, rowIn, cols, blocks * 8, n, 3, r0, r1, tmp0, tmp, rowLen);
}

bool hasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}
#endif

/** The horizontal pass over source rows [r0, r1) of `rows` into tmp, on the fastest path. */
void horizontal(const uint8_t *d, int rowIn, int rows, const Columns &cols, int c, int r0, int r1,
                uint8_t *tmp, int rowLen) {
  const int n = static_cast<int>(cols.src.size());
#ifdef RECTIFIER_AVX2_RGB
  if (c == 3 && n >= 8 && hasAvx2()) {
    // the buffer's last row has no byte after its last pixel for the gathers: scalar
    const int last = std::min(r1, rows - 1);
    if (r0 < last) horizontalRgbAvx2(d, rowIn, cols, r0, last, r0, tmp, rowLen);
    if (last < r1) horizontalPass(d, rowIn, cols, 0, n, c, std::max(last, r0), r1, r0, tmp, rowLen);
    return;
  }
#endif
  horizontalPass(d, rowIn, cols, 0, n, c, r0, r1, r0, tmp, rowLen);
}

// One output row from N tmp rows (N known at compile time, 0: at run time), along the whole
// row: contiguous reads and writes that the compiler vectorises; the sum stays in a register.
template <int N, typename Out>
RECTIFIER_INLINE void verticalRow(const uint8_t *__restrict t0, int rowLen, const int32_t *w, int n,
                                  const double *__restrict shiftRow, Out *__restrict o) {
  const int taps = N > 0 ? N : n;
  for (int i = 0; i < rowLen; i++) {
    int32_t s = kHalf;
    for (int tap = 0; tap < taps; tap++) s += t0[static_cast<size_t>(tap) * rowLen + i] * w[tap];
    put(o + i, clip8(s), shiftRow[i]);
  }
}

template <typename Out>
RECTIFIER_INLINE void verticalRows(const uint8_t *tmp, int rowLen, const Axis &y, int yOff,
                                   const double *shiftRow, Out *out) {
  for (int j = 0; j < y.n; j++) {
    const uint8_t *t0 = tmp + static_cast<size_t>(y.first[j] - yOff) * rowLen;
    const int32_t *w = y.fixed + static_cast<size_t>(j) * y.k;
    Out *o = out + static_cast<size_t>(j) * rowLen;
    switch (y.count[j]) {
      case 1: verticalRow<1>(t0, rowLen, w, 1, shiftRow, o); break;
      case 2: verticalRow<2>(t0, rowLen, w, 2, shiftRow, o); break;
      case 3: verticalRow<3>(t0, rowLen, w, 3, shiftRow, o); break;
      case 4: verticalRow<4>(t0, rowLen, w, 4, shiftRow, o); break;
      case 5: verticalRow<5>(t0, rowLen, w, 5, shiftRow, o); break;
      default: verticalRow<0>(t0, rowLen, w, y.count[j], shiftRow, o); break;
    }
  }
}

/** tmp → output rows, clipped, plus the channel's shift when the output is float (second pass). */
RECTIFIER_CLONES void verticalPass(const uint8_t *tmp, int rowLen, const Axis &y, int yOff,
                                   const double *shiftRow, uint8_t *out) {
  verticalRows(tmp, rowLen, y, yOff, shiftRow, out);
}
RECTIFIER_CLONES void verticalPass(const uint8_t *tmp, int rowLen, const Axis &y, int yOff,
                                   const double *shiftRow, float *out) {
  verticalRows(tmp, rowLen, y, yOff, shiftRow, out);
}

template <typename Out>
void resample(const uint8_t *d, int srcWidth, int rows, int c, int srcX, int srcY, const Axis &x,
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
  const Columns cols = columns(x, srcX, srcWidth, c, flip);
  // every element is written by the horizontal pass before the vertical one reads it
  std::unique_ptr<uint8_t[]> tmp(new uint8_t[static_cast<size_t>(yHi - yLo) * rowLen]);
  horizontal(d, rowIn, rows, cols, c, yLo, yHi, tmp.get(), rowLen);
  // the shift of each element of an output row, so that the vertical pass reads it contiguously
  std::vector<double> shiftRow(rowLen);
  for (int i = 0; i < rowLen; i++) shiftRow[i] = shift[i % c];
  verticalPass(tmp.get(), rowLen, y, srcY + yLo, shiftRow.data(), out);
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
    resample(src.Data(), srcWidth, static_cast<int>(rows), c, srcX, srcY, x, y, flip, shift.Data(),
             out.As<Napi::Uint8Array>().Data());
  } else if (out.TypedArrayType() == napi_float32_array) {
    resample(src.Data(), srcWidth, static_cast<int>(rows), c, srcX, srcY, x, y, flip, shift.Data(),
             out.As<Napi::Float32Array>().Data());
  } else {
    throw Napi::TypeError::New(env, "resampleWindow: out must be a Uint8Array or Float32Array");
  }
  return env.Undefined();
}
