/**
 * A spatial pyramid over one map size: its levels (n×n bins each) and, per level and bin, the
 * bin's [first, end) rows and columns, flattened level by level (@rectifier/architectures'
 * `binEdges`). The attributes of @rectifier/backend's SPP kernels have this shape.
 */
export interface PyramidBins {
  levels: readonly number[];
  rowEdges: readonly number[];
  colEdges: readonly number[];
}

/**
 * Scans every bin of image `b` of an NHWC map `x` (levels in order, bins row-major) and calls
 * `visit(feature)` with `best`/`at` holding, per channel, the bin's maximum and the offset of the
 * first pixel that holds it — PyTorch's scan (`v > best || isNaN(v)`, from the bin's first
 * pixel), so ties go to the first maximum and a NaN wins; `feature` is the bin's first index in
 * a row of the pyramid's output ([C·Σ n²], level-major, bin row-major, channel). Shared by the
 * SPP layer (for backends without SPP kernels) and @rectifier/backend's wasm kernels;
 * @rectifier/backend's native/src/spp.cc is its C++ twin.
 */
export function scanPyramidBins(
  x: ArrayLike<number>,
  [, height, width, channels]: readonly number[],
  b: number,
  { levels, rowEdges, colEdges }: PyramidBins,
  best: Float32Array,
  at: Int32Array,
  visit: (feature: number) => void,
): void {
  let offset = 0;
  let edge = 0;
  for (const n of levels) {
    for (let i = 0; i < n; i++) {
      const r0 = rowEdges[edge + 2 * i];
      const r1 = rowEdges[edge + 2 * i + 1];
      for (let j = 0; j < n; j++) {
        const c0 = colEdges[edge + 2 * j];
        const c1 = colEdges[edge + 2 * j + 1];
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(((b * height + r0) * width + c0) * channels);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = ((b * height + r) * width + c) * channels;
            for (let k = 0; k < channels; k++) {
              const v = x[base + k];
              if (v > best[k] || Number.isNaN(v)) {
                best[k] = v;
                at[k] = base;
              }
            }
          }
        }
        visit(offset + (i * n + j) * channels);
      }
    }
    offset += n * n * channels;
    edge += 2 * n;
  }
}
