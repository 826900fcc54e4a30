import { type ArchitectureSpec, summarize } from '@rectifier/architectures';

/**
 * Side of the trunk's last feature map for an input side of `side` pixels (every trunk layer has
 * square kernels and strides, so rows and columns shrink alike); 0 when a layer's window does
 * not fit. Computed from the spec's layer list, no tensor is made.
 */
export function featureMapSide(spec: ArchitectureSpec, side: number): number {
  try {
    const { layers } = summarize({ ...spec, head: [] }, { inputSize: side });
    return layers.length === 0 ? side : layers[layers.length - 1].outputShape[0];
  } catch {
    return 0; // a conv or pool window larger than its input: no map at all
  }
}

/**
 * The smallest input side ≥ 1 whose feature map side is at least `mapSide`. The map side does
 * not decrease with the input side, so a doubling search then a bisection finds it.
 */
export function smallestInputSide(spec: ArchitectureSpec, mapSide: number): number {
  let hi = 1;
  while (featureMapSide(spec, hi) < mapSide) hi *= 2;
  let lo = Math.floor(hi / 2); // featureMapSide(lo) < mapSide, or lo = 0
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (featureMapSide(spec, mid) >= mapSide) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Product of the trunk's strides: how many input pixels one feature-map step spans. */
export function trunkStride(spec: ArchitectureSpec): number {
  return spec.trunk.reduce(
    (s, l) => s * (l.kind === 'conv2d' || l.kind === 'maxPooling2d' ? l.strides : 1),
    1,
  );
}
