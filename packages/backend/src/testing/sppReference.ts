import type { SppAttrs } from '../kernelNames';

/** A pyramid's kernel attributes for an H×W map: adaptive or SPP-net bins, by their formulas. */
export function pyramid(
  levels: number[],
  height: number,
  width: number,
  binning: 'adaptive' | 'sppnet' = 'adaptive',
): SppAttrs {
  const edges = (a: number) =>
    levels.flatMap((n) =>
      Array.from({ length: n }, (_, i) =>
        binning === 'adaptive'
          ? [Math.floor((i * a) / n), Math.ceil(((i + 1) * a) / n)]
          : [i * Math.floor(a / n), i * Math.floor(a / n) + Math.ceil(a / n)],
      ).flat(),
    );
  return { levels, rowEdges: edges(height), colEdges: edges(width) };
}

/**
 * SPP by its definition, in float64, for tests: every bin's maximum (NaN if the bin holds one),
 * and dx with each bin's dy on the first pixel, row-major, that equals that maximum — or on its
 * last NaN, where PyTorch's scan (`val > max || isnan(val)`) leaves it — found by a search after
 * the maximum, not by the kernels' running scan.
 */
export function sppDefinition(
  x: Float32Array,
  dy: Float32Array,
  [batch, height, width, channels]: number[],
  { levels, rowEdges, colEdges }: SppAttrs,
): { y: Float64Array; dx: Float64Array } {
  const features = channels * levels.reduce((s, n) => s + n * n, 0);
  const y = new Float64Array(batch * features);
  const dx = new Float64Array(x.length);
  const at = (b: number, r: number, c: number, k: number) =>
    ((b * height + r) * width + c) * channels + k;
  for (let b = 0; b < batch; b++) {
    let feature = 0;
    let edge = 0;
    for (const n of levels) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const [r0, r1] = [rowEdges[edge + 2 * i], rowEdges[edge + 2 * i + 1]];
          const [c0, c1] = [colEdges[edge + 2 * j], colEdges[edge + 2 * j + 1]];
          for (let k = 0; k < channels; k++, feature++) {
            const pixels: number[] = [];
            for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) pixels.push(at(b, r, c, k));
            const values = pixels.map((p) => x[p]);
            const max = values.some(Number.isNaN) ? Number.NaN : Math.max(...values);
            const first = Number.isNaN(max)
              ? pixels[values.findLastIndex(Number.isNaN)]
              : pixels[values.findIndex((v) => v === max)];
            y[b * features + feature] = max;
            dx[first] += dy[b * features + feature];
          }
        }
      }
      edge += 2 * n;
    }
  }
  return { y, dx };
}
