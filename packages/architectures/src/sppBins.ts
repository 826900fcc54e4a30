import { received } from '@rectifier/core';
import { ArchitecturesArgumentError } from './errors';

/** How a pyramid level splits a side of `a` pixels into `n` bins. */
export type SppBinning = 'adaptive' | 'sppnet';

/** Half-open pixel ranges [start, end) of the n bins along one side. */
export type BinEdges = ReadonlyArray<readonly [start: number, end: number]>;

/**
 * Bin edges along one side of length `a` for a level of `n` bins.
 *
 * - `adaptive` (PyTorch `adaptive_max_pool2d`, and the float bins of the released SPP-net code):
 *   bin i covers [floor(i·a/n), ceil((i+1)·a/n)). Always exactly n bins that together cover
 *   every pixel; neighbouring bins overlap by one pixel when n does not divide a.
 * - `sppnet` (SPP-net paper, Sec. 2.3): window w = ceil(a/n), stride s = floor(a/n), bin i covers
 *   [i·s, i·s + w). Also exactly n bins, but the last bin ends at (n−1)·s + w, which can fall
 *   short of a: on a 14×14 map level 3 (w = 5, s = 4) covers rows 0–12 and drops row 13; level 6
 *   on 17 (w = 3, s = 2) drops rows 13–16 and on 10 (w = 2, s = 1) rows 7–9. The two agree
 *   whenever n divides a.
 *
 * Throws when a < n (a level would have empty bins) or n, a are not positive integers.
 */
export function binEdges(a: number, n: number, binning: SppBinning = 'adaptive'): BinEdges {
  if (binning !== 'adaptive' && binning !== 'sppnet') {
    throw new ArchitecturesArgumentError(
      `Argument \`binning\` must be 'adaptive' or 'sppnet'. Received: binning=${received(binning)}.`,
    );
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new ArchitecturesArgumentError(
      `Argument \`n\` (bins per side) must be a positive integer. Received: n=${received(n)}.`,
    );
  }
  if (!Number.isInteger(a) || a < n) {
    throw new ArchitecturesArgumentError(
      `Argument \`a\` (map side) must be an integer ≥ n=${n}. Received: a=${received(a)}.`,
    );
  }
  const edges: Array<readonly [number, number]> = [];
  if (binning === 'sppnet') {
    const window = Math.ceil(a / n);
    const stride = Math.floor(a / n);
    for (let i = 0; i < n; i++) edges.push([i * stride, i * stride + window]);
  } else {
    for (let i = 0; i < n; i++) {
      edges.push([Math.floor((i * a) / n), Math.ceil(((i + 1) * a) / n)]);
    }
  }
  return edges;
}

/** Pixels of a side of length `a` that no bin of level `n` covers (only `sppnet` drops any). */
export function uncoveredPixels(a: number, n: number, binning: SppBinning): number[] {
  const covered = new Array<boolean>(a).fill(false);
  for (const [s, e] of binEdges(a, n, binning)) for (let i = s; i < e; i++) covered[i] = true;
  return covered.flatMap((c, i) => (c ? [] : [i]));
}
