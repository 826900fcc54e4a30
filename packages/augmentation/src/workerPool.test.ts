import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRng, ImageDecodeError } from '@rectifier/data';
import { afterAll, describe, expect, it, vi } from 'vitest';
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

  it('sends the jobs of one turn as one message per worker; a corrupt one rejects alone', async () => {
    const p = compose(scaleJitter({ min: 200, max: 400 }), randomCrop(128), horizontalFlip(0.5));
    const broken = jpeg.subarray(0, 2000); // a truncated JPEG
    const inputs = [jpeg, broken, png, jpeg, jpeg, broken, png, jpeg];
    const want = await Promise.allSettled(inputs.map((b, i) => p.apply(b, createRng(3, 0, i))));
    const post = vi.spyOn(Worker.prototype, 'postMessage');
    const q = p.withWorkers(pools[1]);
    const got = await Promise.allSettled(
      inputs.map((b, i) => q.apply(b, createRng(3, 0, i), `/x/${i}.JPEG`)),
    );
    // all eight were given in one turn: two messages of four jobs, one per worker
    expect(post.mock.calls.map((c) => (c[0] as unknown[]).length)).toEqual([4, 4]);
    post.mockRestore();
    got.forEach((g, i) => {
      const w = want[i];
      if (inputs[i] === broken) {
        expect(w.status).toBe('rejected');
        expect(g.status === 'rejected' && String(g.reason.message)).toMatch(`/x/${i}.JPEG`);
      } else {
        expect(g.status === 'fulfilled' && w.status === 'fulfilled').toBe(true);
        if (g.status === 'fulfilled' && w.status === 'fulfilled') {
          expect(Array.from(g.value.data)).toEqual(Array.from(w.value.data));
        }
      }
    });
  });

  it('close() rejects the jobs it has not sent yet', async () => {
    const pool = createWorkerPool({ workers: 1 });
    const p = compose(resizeShorter(64));
    const job = pool.run(jpeg, p.plan(151, 100, createRng(0)), 151, 100);
    const outcome = job.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await pool.close(); // in the same turn as run(): the job was still queued
    expect(await outcome).toBe('worker pool closed');
  });

  it('rejects a bad pool size', () => {
    expect(() => createWorkerPool({ workers: 0 })).toThrow(/workers=0/);
  });
});
