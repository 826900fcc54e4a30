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
    first[k] = xmin;
    count[k] = n;
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
  // horizontal pass over the source rows the window needs
  const rows = src.height;
  const tmp = new Float32Array(rows * width * c);
  for (let r = 0; r < rows; r++) {
    const base = r * sw;
    for (let k = 0; k < width; k++) {
      const o = (r * width + (flip ? width - 1 - k : k)) * c;
      const x0 = cx.first[k] - srcX;
      const n = cx.count[k];
      const wo = k * cx.ksize;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      if (c === 3) {
        for (let i = 0; i < n; i++) {
          const w = cx.weights[wo + i];
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
    for (let i = 0; i < n; i++) {
      const w = cy.weights[wo + i];
      const t = (y0 + i) * rowLen;
      for (let j = 0; j < rowLen; j++) out[o + j] += tmp[t + j] * w;
    }
  }
  return { data: out, height, width, channels: c };
}
