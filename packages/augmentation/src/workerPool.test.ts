import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, ImageDecodeError } from '@rectifier/data';
import { afterAll, describe, expect, it } from 'vitest';
import { compose } from './compose';
import { pcaLighting, subtractMean } from './floatTransforms';
import {
  centerCrop,
  horizontalFlip,
  randomCrop,
  resizeShorter,
  scaleJitter,
  tenCrop,
} from './transforms';
import { createWorkerPool } from './workerPool';

const PHOTOS = join(import.meta.dirname, 'fixtures', 'photos');
const jpeg = readFileSync(join(PHOTOS, 'chelsea_q90.jpg'));
const png = readFileSync(join(PHOTOS, 'coffee.png'));

describe('createWorkerPool + Pipeline.withWorkers', () => {
  const pools = [createWorkerPool({ workers: 1 }), createWorkerPool({ workers: 2 })];
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  it('gives the same pixels as the in-thread pipeline, whatever the pool size', async () => {
    const p = compose(
      scaleJitter({ min: 160, max: 512 }), // both reductions and enlargements of these photos
      randomCrop(96),
      horizontalFlip(0.5),
      pcaLighting({ eigenStd: [50, 5, 1], eigenvectors: [1, 0, 0, 0, 1, 0, 0, 0, 1] }),
      subtractMean({ perChannel: [120, 110, 100] }),
    );
    const inputs = Array.from({ length: 8 }, (_, i) => (i % 2 ? png : jpeg));
    const want = await Promise.all(inputs.map((b, i) => p.apply(b, createRng(5, 0, i))));
    for (const pool of pools) {
      const q = p.withWorkers(pool);
      const got = await Promise.all(inputs.map((b, i) => q.apply(b, createRng(5, 0, i))));
      got.forEach((g, i) => {
        expect([g.height, g.width, g.channels]).toEqual([96, 96, 3]);
        expect(g.data).toBeInstanceOf(Float32Array);
        expect(Array.from(g.data)).toEqual(Array.from(want[i].data));
      });
    }
    // the caller's bytes are copied, not transferred
    expect(jpeg.length).toBeGreaterThan(0);
  });

  it('ten-crop and centre crop through the pool match, and a corrupt image rejects with its path', async () => {
    const pool = pools[1];
    for (const steps of [
      [resizeShorter(256), tenCrop(224)],
      [resizeShorter(300, { kernel: 'lanczos3' }), centerCrop(224)],
    ]) {
      const p = compose(...steps);
      const want = await p.applyAll(jpeg, createRng(1));
      const got = await p.withWorkers(pool).applyAll(jpeg, createRng(1));
      expect(got).toHaveLength(want.length);
      for (let k = 0; k < got.length; k++) {
        expect(Array.from(got[k].data)).toEqual(Array.from(want[k].data));
      }
    }
    const broken = jpeg.subarray(0, 2000); // a truncated JPEG
    await expect(
      compose(resizeShorter(256)).withWorkers(pool).apply(broken, createRng(0), '/x/broken.JPEG'),
    ).rejects.toSatisfy((e) => e instanceof ImageDecodeError && /broken\.JPEG/.test(e.message));
  });

  it('rejects a bad pool size', () => {
    expect(() => createWorkerPool({ workers: 0 })).toThrow(/workers=0/);
  });
});
