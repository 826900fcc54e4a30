import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeDatasetStats,
  createImageLoader,
  createRng,
  readImageFolder,
} from '@rectifier/data';
import { expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compose } from './compose';
import { pcaLighting } from './floatTransforms';
import { centerCrop, horizontalFlip, randomCrop, resizeShorter, scaleJitter } from './transforms';

const PHOTOS = join(import.meta.dirname, 'fixtures', 'photos');

describe('augmentation inside the @rectifier/data loader (real photos)', () => {
  let root: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = mkdtempSync(join(tmpdir(), 'rectifier-aug-loader-'));
    const files = readdirSync(PHOTOS).filter((f) => f.endsWith('.png'));
    files.forEach((f, k) => {
      const dir = join(root, `class${k % 2}`);
      mkdirSync(dir, { recursive: true });
      for (let r = 0; r < 3; r++)
        copyFileSync(join(PHOTOS, f), join(dir, `${r}_${f.replace('.png', '.JPEG')}`));
    });
  });

  it('same batches whatever the concurrency, no tensor leak', async () => {
    const ds = readImageFolder(root);
    const augment = compose(
      scaleJitter({ min: 48, max: 120 }),
      randomCrop(40),
      horizontalFlip(0.5),
      pcaLighting({
        eigenStd: [60, 8, 2],
        eigenvectors: [0.58, -0.72, 0.4, 0.58, 0, -0.81, 0.58, 0.69, 0.42],
        std: 0.1,
      }),
    );
    const run = async (concurrency: number) =>
      expectNoLeak(async () => {
        const out: number[][] = [];
        const loader = createImageLoader(ds, {
          batchSize: 5,
          seed: 3,
          concurrency,
          transform: augment.transform,
        });
        for await (const b of loader.epoch(1)) {
          out.push(Array.from(await b.images.data()), Array.from(await b.labels.data()), b.indices);
          expect(b.images.shape.slice(1)).toEqual([40, 40, 3]);
          tf.dispose([b.images, b.labels]);
        }
        return out;
      });
    const a = await run(1);
    const b = await run(6);
    expect(b).toEqual(a);
  });

  it('dataset stats at the crop size equal the mean of the transformed images', async () => {
    const ds = readImageFolder(root);
    const test = compose(resizeShorter(48), centerCrop(40));
    const load = async (i: number) => test.apply(readFileSync(ds.samples[i].path), createRng(0));
    const stats = await computeDatasetStats({ size: ds.samples.length, load });
    const first = await load(0);
    let sum = 0;
    for (let i = 0; i < ds.samples.length; i++) sum += (await load(i)).data[123];
    expect(stats.meanImage.length).toBe(first.data.length);
    expect(stats.meanImage[123]).toBeCloseTo(sum / ds.samples.length, 3);
    expect(stats.eigenvalues[0]).toBeGreaterThan(stats.eigenvalues[2]);
  });
});
