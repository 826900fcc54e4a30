import type { RawImage } from '@rectifier/data';

/**
 * PIL's resampling coefficients for the bilinear (triangle) filter along one axis, for output
 * pixels [outStart, outStart + outCount) of an `inSize` → `outSize` resize (Pillow's
 * `precompute_coeffs`): scale = in/out, filterscale = max(scale, 1), support = filterscale,
 * centre = (x + 0.5)·scale, weights = triangle((i − centre + 0.5) / filterscale), normalised.
 * Enlarging this is centre-aligned bilinear with edge clamping; reducing it is the antialiased
 * (widened) triangle — torchvision's `Resize` on PIL images.
 */
export function triangleCoefficients(
  outStart: number,
  outCount: number,
  inSize: number,
  outSize: number,
) {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outCount);
  const count = new Int32Array(outCount);
  const weights = new Float32Array(outCount * ksize);
  for (let k = 0; k < outCount; k++) {
    const center = (outStart + k + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    const n = xmax - xmin;
    for (let i = 0; i < n; i++) {
      const t = Math.abs((i + xmin - center + 0.5) / filterscale);
      const w = t < 1 ? 1 - t : 0;
      weights[k * ksize + i] = w;
      total += w;
    }
    if (total !== 0) for (let i = 0; i < n; i++) weights[k * ksize + i] /= total;
    // Drop zero-weight taps at both ends (an enlargement then has exactly 1–2 taps): same
    // result, and the inner loops below do a third less work.
    let lo = 0;
    let hi = n;
    while (hi > lo + 1 && weights[k * ksize + hi - 1] === 0) hi--;
    while (lo < hi - 1 && weights[k * ksize + lo] === 0) lo++;
    if (lo > 0) weights.copyWithin(k * ksize, k * ksize + lo, k * ksize + hi);
    first[k] = xmin + lo;
    count[k] = hi - lo;
  }
  return { first, count, weights, ksize };
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

/**
 * Resamples a window of a resized image straight to float32 with PIL's bilinear filter
 * (separable: horizontal pass, then vertical), so torchvision-trained models see the same
 * pixels. Only the output window is computed — a random 224 crop costs 224² pixels whatever s is.
 *
 * `src` holds source pixels [srcX, srcX + src.width) × [srcY, srcY + src.height) of a full source
 * of size inW×inH, resized (virtually) to outW×outH; the output is the window
 * [left, left+width) × [top, top+height) of that, mirrored left↔right when `flip`.
 */
export function resampleWindow(
  src: RawImage<Uint8Array>,
  srcX: number,
  srcY: number,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  [left, top, width, height]: [number, number, number, number],
  flip: boolean,
): RawImage<Float32Array> {
  const c = src.channels;
  const cx = triangleCoefficients(left, width, inW, outW);
  const cy = triangleCoefficients(top, height, inH, outH);
  const sw = src.width;
  const d = src.data;
  const xFirst = cx.first;
  const xCount = cx.count;
  const xW = cx.weights;
  const xK = cx.ksize;
  // horizontal pass over the source rows the window needs
  const rows = src.height;
  const tmp = new Float32Array(rows * width * c);
  for (let r = 0; r < rows; r++) {
    const base = r * sw;
    for (let k = 0; k < width; k++) {
      const o = (r * width + (flip ? width - 1 - k : k)) * c;
      const x0 = xFirst[k] - srcX;
      const n = xCount[k];
      const wo = k * xK;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      if (c === 3 && n === 2) {
        const a = (base + x0) * 3;
        const w1 = xW[wo + 1];
        const w0 = xW[wo];
        tmp[o] = d[a] * w0 + d[a + 3] * w1;
        tmp[o + 1] = d[a + 1] * w0 + d[a + 4] * w1;
        tmp[o + 2] = d[a + 2] * w0 + d[a + 5] * w1;
      } else if (c === 3) {
        for (let i = 0; i < n; i++) {
          const w = xW[wo + i];
          const a = (base + x0 + i) * 3;
          s0 += d[a] * w;
          s1 += d[a + 1] * w;
          s2 += d[a + 2] * w;
        }
        tmp[o] = s0;
        tmp[o + 1] = s1;
        tmp[o + 2] = s2;
      } else {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += d[(base + x0 + i) * c + ch] * cx.weights[wo + i];
          tmp[o + ch] = s;
        }
      }
    }
  }
  const out = new Float32Array(width * height * c);
  const rowLen = width * c;
  for (let y = 0; y < height; y++) {
    const y0 = cy.first[y] - srcY;
    const n = cy.count[y];
    const wo = y * cy.ksize;
    const o = y * rowLen;
    if (n === 2) {
      const w0 = cy.weights[wo];
      const w1 = cy.weights[wo + 1];
      const t0 = y0 * rowLen;
      const t1 = t0 + rowLen;
      for (let j = 0; j < rowLen; j++) out[o + j] = tmp[t0 + j] * w0 + tmp[t1 + j] * w1;
      continue;
    }
    for (let i = 0; i < n; i++) {
      const w = cy.weights[wo + i];
      const t = (y0 + i) * rowLen;
      for (let j = 0; j < rowLen; j++) out[o + j] += tmp[t + j] * w;
    }
  }
  return { data: out, height, width, channels: c };
}
