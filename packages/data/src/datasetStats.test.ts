import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeDatasetStats, statsKey } from './datasetStats';
import { ImageDecodeError } from './errors';
import { createRng } from './rng';
import { symmetricEigen } from './symmetricEigen';
import { removeTmpDirs, tmp } from './testing/makeTree';

afterAll(removeTmpDirs);

describe('symmetricEigen', () => {
  it('reconstructs A = V diag(λ) Vᵀ with orthonormal V, λ descending', () => {
    const A = [4, 1, 2, 1, 3, 0.5, 2, 0.5, 5];
    const { eigenvalues: l, eigenvectors: V } = symmetricEigen(A);
    expect(l[0]).toBeGreaterThanOrEqual(l[1]);
    expect(l[1]).toBeGreaterThanOrEqual(l[2]);
    expect(l.reduce((a, b) => a + b)).toBeCloseTo(12, 10); // trace
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let a = 0;
        let vv = 0;
        for (let k = 0; k < 3; k++) {
          a += V[i * 3 + k] * l[k] * V[j * 3 + k];
          vv += V[k * 3 + i] * V[k * 3 + j];
        }
        expect(a).toBeCloseTo(A[i * 3 + j], 10);
        expect(vv).toBeCloseTo(i === j ? 1 : 0, 10);
      }
  });
});

describe('computeDatasetStats', () => {
  it('mean image and RGB covariance match a direct two-pass computation; cached on disk', async () => {
    const n = 30;
    const h = 4;
    const w = 5;
    const images = Array.from({ length: n }, (_, i) => {
      const rng = createRng(11, i);
      const d = new Uint8Array(h * w * 3);
      for (let p = 0; p < h * w; p++) {
        const base = rng.int(0, 200);
        d[p * 3] = base + rng.int(0, 30);
        d[p * 3 + 1] = Math.floor(base * 0.8) + rng.int(0, 20);
        d[p * 3 + 2] = rng.int(0, 255);
      }
      return d;
    });
    const load = async (i: number) => {
      if (i === 3) throw new ImageDecodeError('x.JPEG', 'truncated'); // skipped, not counted
      return { data: images[i], height: h, width: w, channels: 3 };
    };
    const cachePath = join(tmp('stats'), 'stats.json');
    const key = statsKey(['a', 'b'], 'center224');
    const s = await computeDatasetStats({ size: n, load, cachePath, key });
    expect(s.count).toBe(n - 1);
    const used = images.filter((_, i) => i !== 3);
    // two-pass reference
    const mean = [0, 0, 0];
    for (const d of used) for (let p = 0; p < d.length; p++) mean[p % 3] += d[p];
    const P = used.length * h * w;
    for (let c = 0; c < 3; c++) mean[c] /= P;
    const cov = new Array(9).fill(0);
    for (const d of used)
      for (let p = 0; p < d.length; p += 3)
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) cov[a * 3 + b] += (d[p + a] - mean[a]) * (d[p + b] - mean[b]);
    for (let k = 0; k < 9; k++) expect(s.covariance[k]).toBeCloseTo(cov[k] / P, 6);
    for (let c = 0; c < 3; c++) expect(s.channelMean[c]).toBeCloseTo(mean[c], 8);
    let m0 = 0;
    for (const d of used) m0 += d[7];
    expect(s.meanImage[7]).toBeCloseTo(m0 / used.length, 4);
    expect(s.eigenvalues.reduce((a, b) => a + b)).toBeCloseTo((cov[0] + cov[4] + cov[8]) / P, 6);
    expect(existsSync(cachePath)).toBe(true);
    // Second call reads the cache: `load` must not run.
    const again = await computeDatasetStats({
      size: n,
      cachePath,
      key,
      load: async () => {
        throw new Error('cache not used');
      },
    });
    expect(Array.from(again.meanImage)).toEqual(Array.from(s.meanImage));
    expect(again.eigenvectors).toEqual(s.eigenvectors);
  });
});
