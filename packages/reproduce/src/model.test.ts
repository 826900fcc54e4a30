import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, type RawImage } from '@rectifier/data';
import { expect, it } from 'vitest';
import { parseRunConfig } from './config';
import { openDataset } from './datasets';
import { colourAlteringOf, datasetStats } from './model';

process.env.RECTIFIER_CACHE = mkdtempSync(join(tmpdir(), 'rectifier-model-'));

it('colour altering shifts a pixel by a few levels per σ of α, in the units of the pixels', async () => {
  const c = parseRunConfig({ pcaLighting: 0.1, trainLimit: 200 }, 'test');
  const stats = await datasetStats(openDataset('bundled', { train: 200, val: null }), c);
  // The eigenvalues are variances in levels² (λ₁ ≈ 24,000 on the bundled set); lighting must
  // scale by their square roots, σ₁ ≈ 155 levels.
  expect(stats.eigenvalues[0]).toBeGreaterThan(5_000);
  const [lighting] = colourAlteringOf(c, stats);
  // Grey data: the first axis is (1, 1, 1)/√3, so every channel moves by α₁σ₁/√3 with
  // α₁ ~ N(0, 0.1²): a std of 0.1·σ₁/√3 ≈ 9 levels (the eigenvalue would give ~1,400).
  const expected = (0.1 * Math.sqrt(stats.eigenvalues[0])) / Math.sqrt(3);
  const n = 4000;
  const rng = createRng(7);
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    const img: RawImage<Float32Array> = {
      data: new Float32Array(3),
      height: 1,
      width: 1,
      channels: 3,
    };
    lighting.apply(img, rng);
    expect(Math.abs(img.data[0] - img.data[1])).toBeLessThan(1e-3);
    sum2 += img.data[0] ** 2;
  }
  const std = Math.sqrt(sum2 / n);
  // Relative standard error of a std from n normal draws: 1/√(2n) ≈ 1.1 %; 8 % is > 7 SE.
  expect(Math.abs(std / expected - 1)).toBeLessThan(0.08);
  expect(std).toBeGreaterThan(2);
  expect(std).toBeLessThan(30);
});

it('colour altering is absent when off', async () => {
  const c = parseRunConfig({ pcaLighting: false }, 'test');
  expect(c.pcaLighting).toBeNull();
  const stats = {
    eigenvectors: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    eigenStd: [1, 1, 1],
  } as Parameters<typeof colourAlteringOf>[1];
  expect(colourAlteringOf(c, stats)).toEqual([]);
});
