/**
 * Direct-from-definition convolution gradients (NHWC, HWIO filters), for tests: slow, obvious,
 * and independent of every backend.
 */
export interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  /** Pad before/after each spatial axis: [[top, bottom], [left, right]]. */
  pads: [[number, number], [number, number]];
}

export function outputSize(c: ConvCase): [number, number] {
  const [, h, w] = c.xShape;
  const [kh, kw] = c.filterShape;
  const [[t, b], [l, r]] = c.pads;
  return [
    Math.floor((h + t + b - kh) / c.strides[0]) + 1,
    Math.floor((w + l + r - kw) / c.strides[1]) + 1,
  ];
}

/** Calls `visit(xIndex, filterIndex, dyIndex)` for every product term of the convolution. */
function forEachTerm(c: ConvCase, visit: (xi: number, fi: number, yi: number) => void): void {
  const [n, h, w, ci] = c.xShape;
  const [kh, kw, , co] = c.filterShape;
  const [oh, ow] = outputSize(c);
  const [sh, sw] = c.strides;
  const [[t], [l]] = c.pads;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        for (let i = 0; i < kh; i++) {
          const hy = y * sh + i - t;
          if (hy < 0 || hy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const wx = x * sw + j - l;
            if (wx < 0 || wx >= w) continue;
            for (let c1 = 0; c1 < ci; c1++)
              for (let c2 = 0; c2 < co; c2++)
                visit(
                  ((b * h + hy) * w + wx) * ci + c1,
                  ((i * kw + j) * ci + c1) * co + c2,
                  ((b * oh + y) * ow + x) * co + c2,
                );
          }
        }
}

export function filterGradient(c: ConvCase, x: Float32Array, dy: Float32Array): Float64Array {
  const out = new Float64Array(c.filterShape.reduce((p, d) => p * d, 1));
  forEachTerm(c, (xi, fi, yi) => {
    out[fi] += x[xi] * dy[yi];
  });
  return out;
}

export function inputGradient(c: ConvCase, filter: Float32Array, dy: Float32Array): Float64Array {
  const out = new Float64Array(c.xShape.reduce((p, d) => p * d, 1));
  forEachTerm(c, (xi, fi, yi) => {
    out[xi] += filter[fi] * dy[yi];
  });
  return out;
}
