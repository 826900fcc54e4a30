import type { SppAttrs } from '../kernelNames';
import { normalData } from './normalData';
import { pyramid } from './sppReference';

export interface SppCase {
  label: string;
  shape: [number, number, number, number];
  attrs: SppAttrs;
  x: Float32Array;
  dy: Float32Array;
}

const features = (c: { shape: number[]; attrs: SppAttrs }) =>
  c.shape[0] * c.shape[3] * c.attrs.levels.reduce((s, n) => s + n * n, 0);

function make(
  label: string,
  shape: SppCase['shape'],
  attrs: SppAttrs,
  seed: number,
  values: (v: number, i: number) => number = (v) => v,
): SppCase {
  const c = { label, shape, attrs };
  return {
    ...c,
    x: normalData(shape, seed).map(values),
    dy: normalData([features(c)], seed + 1),
  };
}

/**
 * Maps for the SPP kernels: the paper's pyramids on odd and even sides (adaptive bins that
 * overlap, and SPP-net bins that leave pixels out), ties everywhere (values rounded to -1, 0, 1;
 * an all-zero map), NaNs, and one map above the engine's 32 K-float threading threshold.
 */
export const sppCases: SppCase[] = [
  make('{7,3,2,1} on 9×9, normal', [2, 9, 9, 5], pyramid([7, 3, 2, 1], 9, 9), 3),
  make('{6,3,2,1} on 13×11, ties', [3, 13, 11, 7], pyramid([6, 3, 2, 1], 13, 11), 5, Math.round),
  make('{4,3,2,1} sppnet on 10×10', [2, 10, 10, 4], pyramid([4, 3, 2, 1], 10, 10, 'sppnet'), 7),
  make('{7,3,2,1} on an all-zero 9×9', [1, 9, 9, 3], pyramid([7, 3, 2, 1], 9, 9), 9, () => 0),
  make('{3,1} with NaNs on 7×5', [2, 7, 5, 3], pyramid([3, 1], 7, 5), 11, (v, i) =>
    i % 13 === 4 ? Number.NaN : v,
  ),
  make('{6,3,2,1} on 8×8×64, batch 8 (threaded)', [8, 8, 8, 64], pyramid([6, 3, 2, 1], 8, 8), 13),
];
