import type { RawImage } from '@rectifier/data';
import { loadJpegAddon } from './jpegAddon';

/** Pillow's fixed-point precision for 8-bit resampling (`PRECISION_BITS = 32 - 8 - 2`). */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

export interface Coefficients {
  /** First source index of each output pixel's taps. */
  first: Int32Array;
  /** Number of taps of each output pixel (zero-weight taps at the ends dropped). */
  count: Int32Array;
  /** Normalised weights, `ksize` slots per output pixel (float64, as Pillow computes them). */
  weights: Float64Array;
  /** The same weights in Pillow's 8-bit fixed point: trunc(±0.5 + w·2²²). */
  fixed: Int32Array;
  ksize: number;
}

/**
 * PIL's resampling coefficients for the bilinear (triangle) filter along one axis, for output
 * pixels [outStart, outStart + outCount) of an `inSize` → `outSize` resize (Pillow's
 * `precompute_coeffs` + `normalize_coeffs_8bpc`, in the same double arithmetic): scale = in/out,
 * filterscale = max(scale, 1), support = filterscale, centre = (x + 0.5)·scale,
 * weights = triangle((i − centre + 0.5) · (1/filterscale)), normalised, then fixed point.
 * Enlarging this is centre-aligned bilinear with edge clamping; reducing it is the antialiased
 * (widened) triangle — torchvision's `Resize` on PIL images.
 */
export function triangleCoefficients(
  outStart: number,
  outCount: number,
  inSize: number,
  outSize: number,
): Coefficients {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterscale;
  const ss = 1 / filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outCount);
  const count = new Int32Array(outCount);
  const weights = new Float64Array(outCount * ksize);
  const fixed = new Int32Array(outCount * ksize);
  for (let k = 0; k < outCount; k++) {
    const center = (outStart + k + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    const o = k * ksize;
    let total = 0;
    const n = xmax - xmin;
    for (let i = 0; i < n; i++) {
      const t = Math.abs((i + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      weights[o + i] = w;
      total += w;
    }
    if (total !== 0) for (let i = 0; i < n; i++) weights[o + i] /= total;
    // Drop zero-weight taps at both ends (an enlargement then has exactly 1–2 taps): adding
    // zero changes no sum, and the inner loops do less work.
    let lo = 0;
    let hi = n;
    while (hi > lo + 1 && weights[o + hi - 1] === 0) hi--;
    while (lo < hi - 1 && weights[o + lo] === 0) lo++;
    if (lo > 0) weights.copyWithin(o, o + lo, o + hi);
    for (let i = hi - lo; i < ksize; i++) weights[o + i] = 0;
    for (let i = 0; i < hi - lo; i++) {
      const w = weights[o + i];
      fixed[o + i] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    first[k] = xmin + lo;
    count[k] = hi - lo;
  }
  return { first, count, weights, fixed, ksize };
}

/** The source pixel range [lo, hi] (inclusive) that output pixels [start, start+count) read. */
export function sourceRange(
  start: number,
  count: number,
  inSize: number,
  outSize: number,
): [number, number] {
  const c = triangleCoefficients(start, count, inSize, outSize);
  let lo = inSize;
  let hi = 0;
  for (let k = 0; k < count; k++) {
    lo = Math.min(lo, c.first[k]);
    hi = Math.max(hi, c.first[k] + c.count[k] - 1);
  }
  return [lo, hi];
}

/** Pillow's `clip8`: fixed-point sum → 0..255. */
function clip8(s: number): number {
  const v = s >> PRECISION_BITS;
  // biome-ignore lint/complexity/useMathMinMax: branches are cheaper than a call in this hot loop
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** One window of a resize, as {@link resampleWindow} computes it. */
export interface WindowResample {
  /** Where the source pixels given start in the full source: its column and row. */
  srcX: number;
  srcY: number;
  /** The full source's size, and the size it is resized to (virtually). */
  inW: number;
  inH: number;
  outW: number;
  outH: number;
  /** [left, top, width, height] of the resized image: the pixels computed. */
  window: [number, number, number, number];
  /** Mirror the window left↔right. */
  flip: boolean;
  /** Float32 output: the uint8 values plus `shift` per channel, if given. */
  float?: { shift?: number[] };
}

/**
 * Resamples a window of a resized image with **Pillow's own 8-bit arithmetic** (bilinear
 * filter, `ImagingResampleHorizontal_8bpc` then `..._Vertical_8bpc`: 22-bit fixed-point
 * weights, +2²¹ rounding, clip to uint8 after each pass), so the pixels equal torchvision's
 * `Resize` on PIL images bit for bit, given the same decoded source. Only the output window is
 * computed — a random 224 crop costs 224² pixels (plus the source rows it reads) whatever s is.
 *
 * `src` holds source pixels [srcX, srcX + src.width) × [srcY, srcY + src.height) of a full source
 * of size inW×inH, resized (virtually) to outW×outH; the output (HWC uint8) is the window
 * [left, left+width) × [top, top+height) of that, mirrored left↔right when `flip`. With
 * `float`, the output is float32 (the uint8 values plus `float.shift` per channel, if given).
 */
export function resampleWindow(src: RawImage<Uint8Array>, r: WindowResample): RawImage {
  const addon = loadJpegAddon();
  if (addon instanceof Error) return resampleWindowJs(src, r);
  const { srcX, srcY, inW, inH, outW, outH, window, flip, float } = r;
  // The same coefficients and integer arithmetic in C (native/src/resample.cc): the same bits,
  // ~4× less time than V8's code for this loop nest.
  const [left, top, width, height] = window;
  const c = src.channels;
  const cx = triangleCoefficients(left, width, inW, outW);
  const cy = triangleCoefficients(top, height, inH, outH);
  const out = float ? new Float32Array(height * width * c) : new Uint8Array(height * width * c);
  const shift = new Float64Array(c);
  if (float?.shift) for (let k = 0; k < c; k++) shift[k] = float.shift[k];
  addon.resampleWindow(
    src.data,
    src.width,
    c,
    srcX,
    srcY,
    cx.first,
    cx.count,
    cx.fixed,
    cx.ksize,
    cy.first,
    cy.count,
    cy.fixed,
    cy.ksize,
    flip,
    shift,
    out,
  );
  return { data: out, height, width, channels: c };
}

/** {@link resampleWindow} in JavaScript: where the addon is not built, and its reference in tests. */
export function resampleWindowJs(src: RawImage<Uint8Array>, r: WindowResample): RawImage {
  const { srcX, srcY, inW, inH, outW, outH, flip, float } = r;
  const [left, top, width, height] = r.window;
  const c = src.channels;
  const cx = triangleCoefficients(left, width, inW, outW);
  const cy = triangleCoefficients(top, height, inH, outH);
  const d = src.data;
  const rowIn = src.width * c;
  const rowLen = width * c;
  // Pillow runs the horizontal pass only over the source rows the vertical pass reads.
  const yLo = cy.first[0] - srcY;
  const yHi = cy.first[height - 1] + cy.count[height - 1] - srcY;
  const tmp = new Uint8Array((yHi - yLo) * rowLen);
  const xK = cx.ksize;
  const xF = cx.fixed;
  // Per output column: its source byte offset within a row and its destination offset (flip).
  const xOff = new Int32Array(width);
  const oOff = new Int32Array(width);
  for (let k = 0; k < width; k++) {
    xOff[k] = (cx.first[k] - srcX) * c;
    oOff[k] = (flip ? width - 1 - k : k) * c;
  }
  for (let r = yLo; r < yHi; r++) {
    const base = r * rowIn;
    const t = (r - yLo) * rowLen;
    for (let k = 0; k < width; k++) {
      const n = cx.count[k];
      const wo = k * xK;
      const a = base + xOff[k];
      const o = t + oOff[k];
      if (c === 3 && n === 2) {
        // the enlargement case (every column has two taps): unrolled
        const w0 = xF[wo];
        const w1 = xF[wo + 1];
        tmp[o] = clip8(HALF + d[a] * w0 + d[a + 3] * w1);
        tmp[o + 1] = clip8(HALF + d[a + 1] * w0 + d[a + 4] * w1);
        tmp[o + 2] = clip8(HALF + d[a + 2] * w0 + d[a + 5] * w1);
      } else if (c === 3 && n === 3) {
        const w0 = xF[wo];
        const w1 = xF[wo + 1];
        const w2 = xF[wo + 2];
        tmp[o] = clip8(HALF + d[a] * w0 + d[a + 3] * w1 + d[a + 6] * w2);
        tmp[o + 1] = clip8(HALF + d[a + 1] * w0 + d[a + 4] * w1 + d[a + 7] * w2);
        tmp[o + 2] = clip8(HALF + d[a + 2] * w0 + d[a + 5] * w1 + d[a + 8] * w2);
      } else if (c === 3) {
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let i = 0; i < n; i++) {
          const w = xF[wo + i];
          const p = a + i * 3;
          s0 += d[p] * w;
          s1 += d[p + 1] * w;
          s2 += d[p + 2] * w;
        }
        tmp[o] = clip8(s0);
        tmp[o + 1] = clip8(s1);
        tmp[o + 2] = clip8(s2);
      } else {
        for (let ch = 0; ch < c; ch++) {
          let s = HALF;
          for (let i = 0; i < n; i++) s += d[a + i * c + ch] * xF[wo + i];
          tmp[o + ch] = clip8(s);
        }
      }
    }
  }
  // Float output (the pipeline's): Pillow's uint8 value + an optional per-channel constant,
  // written in the same pass, so no separate uint8 → float32 conversion pass is needed.
  const out = float ? new Float32Array(height * rowLen) : new Uint8Array(height * rowLen);
  const sh = new Float64Array(c);
  if (float?.shift) for (let k = 0; k < c; k++) sh[k] = float.shift[k];
  const yF = cy.fixed;
  const acc = new Float64Array(rowLen); // exact: sums stay below 2^31
  for (let y = 0; y < height; y++) {
    const t0 = (cy.first[y] - srcY - yLo) * rowLen;
    const n = cy.count[y];
    const wo = y * cy.ksize;
    const o = y * rowLen;
    if (n === 2 && c === 3) {
      const w0 = yF[wo];
      const w1 = yF[wo + 1];
      const t1 = t0 + rowLen;
      const [s0, s1, s2] = sh;
      for (let j = 0; j < rowLen; j += 3) {
        out[o + j] = clip8(HALF + tmp[t0 + j] * w0 + tmp[t1 + j] * w1) + s0;
        out[o + j + 1] = clip8(HALF + tmp[t0 + j + 1] * w0 + tmp[t1 + j + 1] * w1) + s1;
        out[o + j + 2] = clip8(HALF + tmp[t0 + j + 2] * w0 + tmp[t1 + j + 2] * w1) + s2;
      }
      continue;
    }
    // Reductions (3+ taps): accumulate whole rows, tap by tap (contiguous reads).
    acc.fill(HALF, 0, rowLen);
    for (let i = 0; i < n; i++) {
      const w = yF[wo + i];
      const t = t0 + i * rowLen;
      for (let j = 0; j < rowLen; j++) acc[j] += tmp[t + j] * w;
    }
    for (let j = 0; j < rowLen; j += c) {
      for (let ch = 0; ch < c; ch++) out[o + j + ch] = clip8(acc[j + ch]) + sh[ch];
    }
  }
  return { data: out, height, width, channels: c };
}
