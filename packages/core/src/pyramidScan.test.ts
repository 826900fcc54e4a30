import { describe, expect, test } from 'vitest';
import { scanPyramidBins } from './pyramidScan';

// One image, 3×3 map, 2 channels; levels {2, 1} with overlapping 2×2 bins (edges [0,2) [1,3)).
const shape = [1, 3, 3, 2];
const pyramid = { levels: [2, 1], rowEdges: [0, 2, 1, 3, 0, 3], colEdges: [0, 2, 1, 3, 0, 3] };

function scan(x: number[]) {
  const best = new Float32Array(2);
  const at = new Int32Array(2);
  const seen: { feature: number; best: number[]; at: number[] }[] = [];
  scanPyramidBins(x, shape, 0, pyramid, best, at, (feature) => {
    seen.push({ feature, best: Array.from(best), at: Array.from(at) });
  });
  return seen;
}

describe('scanPyramidBins', () => {
  test('visits every bin level-major, row-major, with its first maximum per channel', () => {
    // channel 0: all 1 (ties everywhere → each bin's first pixel); channel 1: pixel index.
    const x = Array.from({ length: 9 }, (_, p) => [1, p]).flat();
    const seen = scan(x);
    expect(seen.map((s) => s.feature)).toEqual([0, 2, 4, 6, 8]);
    // bins (rows, cols): [0,2)×[0,2), [0,2)×[1,3), [1,3)×[0,2), [1,3)×[1,3), then the whole map
    const firstPixel = [0, 1, 3, 4, 0];
    const lastPixel = [4, 5, 7, 8, 8];
    seen.forEach((s, i) => {
      expect(s.best).toEqual([1, lastPixel[i]]);
      expect(s.at).toEqual([firstPixel[i] * 2, lastPixel[i] * 2]);
    });
  });

  test('a NaN wins its bin, the last NaN of the scan (PyTorch)', () => {
    const x = new Array(18).fill(0);
    x[2 * 2] = Number.NaN; // pixel 2, channel 0
    x[5 * 2] = Number.NaN; // pixel 5, channel 0
    const whole = scan(x)[4];
    expect(whole.best[0]).toBeNaN();
    expect(whole.at[0]).toBe(5 * 2);
    expect(whole.at[1]).toBe(0); // all zeros: the first pixel
  });
});
