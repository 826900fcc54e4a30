import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageBytes } from './decodeImage';
import { DataArgumentError } from './errors';
import { readIlsvrc } from './ilsvrc';
import { readImageFolder } from './imageFolder';
import { createImageLoader, createLoader, type EpochReport, epochOrder } from './loader';
import { gradient, makeAwkwardTree, tmp } from './testing/makeTree';

async function collect(
  it: AsyncIterable<{ images: tf.Tensor4D; labels: tf.Tensor1D; indices: number[] }>,
) {
  const out: { indices: number[]; labels: number[]; pixels: number[] }[] = [];
  for await (const b of it) {
    out.push({
      indices: b.indices,
      labels: Array.from(await b.labels.data()),
      pixels: Array.from(await b.images.data()),
    });
    b.images.dispose();
    b.labels.dispose();
  }
  return out;
}

describe('createLoader', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('skips truncated/empty files, reports their paths at epoch end, keeps labels paired', async () => {
    const root = tmp('loader');
    await makeAwkwardTree(root);
    const ds = readIlsvrc({ root, split: 'train' });
    let ended: EpochReport | undefined;
    const loader = createImageLoader(ds, {
      batchSize: 3,
      seed: 1,
      // crop every image to 20x30 so the 40x60 truncated one would fit too
      transform: async (bytes, _rng, path) => {
        const img = await decodeImageBytes(bytes, path);
        return img;
      },
      onEpochEnd: (r) => {
        ended = r;
      },
    });
    const batches = await expectNoLeak(() => collect(loader.epoch(0)));
    expect(ended?.skipped.map((s) => s.path.split('/').pop()).sort()).toEqual([
      'n01484850_1_truncated.JPEG',
      'n01484850_2_empty.JPEG',
    ]);
    expect(ended?.examples).toBe(5);
    for (const b of batches) {
      b.indices.forEach((idx, k) => {
        expect(b.labels[k]).toBe(ds.samples[idx].label);
        expect(ds.samples[idx].path).toContain(ds.classes[b.labels[k]]);
      });
    }
    expect(new Set(batches.flatMap((b) => b.indices)).size).toBe(5);
  });

  it('startBatch: resumes an epoch at a batch without loading the ones before it', async () => {
    const loaded: number[] = [];
    const make = () =>
      createLoader({
        size: 23,
        batchSize: 4,
        seed: 3,
        label: (i) => i % 5,
        load: async (i, rng) => {
          loaded.push(i);
          return { data: Float32Array.of(rng.next()), height: 1, width: 1, channels: 1 };
        },
      });
    const full = await collect(make().epoch(2));
    loaded.length = 0;
    const it = make().epoch(2, { startBatch: 4 });
    expect([it.length, it.startBatch]).toEqual([6, 4]);
    const tail = await collect(it);
    expect(tail).toEqual(full.slice(4));
    expect(loaded.sort((a, b) => a - b)).toEqual(
      full
        .slice(4)
        .flatMap((b) => b.indices)
        .sort((a, b) => a - b),
    );
    expect(() => make().epoch(0, { startBatch: 7 })).toThrow(DataArgumentError);
  });

  it('same pixels whatever the concurrency (randomness from seed, epoch, index)', async () => {
    const make = (concurrency: number) =>
      createLoader({
        size: 37,
        batchSize: 8,
        seed: 7,
        concurrency,
        prefetch: concurrency === 1 ? 0 : 3,
        label: (i) => i % 5,
        load: async (i, rng) => {
          // random completion order
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4)));
          return {
            data: Float32Array.from({ length: 4 }, () => i + rng.next()),
            height: 2,
            width: 2,
            channels: 1,
          };
        },
      });
    const a = await collect(make(1).epoch(3));
    const b = await collect(make(8).epoch(3));
    expect(b).toEqual(a);
    const c = await collect(make(8).epoch(4));
    expect(c.map((x) => x.indices)).not.toEqual(a.map((x) => x.indices)); // reshuffled per epoch
    expect(a.flatMap((x) => x.indices).sort((p, q) => p - q)).toEqual(
      Array.from({ length: 37 }, (_, i) => i),
    );
  });

  it('shards are disjoint and their union is the epoch', () => {
    for (const worldSize of [1, 2, 3, 8]) {
      const shards = Array.from({ length: worldSize }, (_, rank) =>
        Array.from(epochOrder(101, 5, { seed: 3, rank, worldSize })),
      );
      const all = shards.flat();
      expect(all.length).toBe(101);
      expect(new Set(all).size).toBe(101);
      expect(
        Math.max(...shards.map((s) => s.length)) - Math.min(...shards.map((s) => s.length)),
      ).toBeLessThanOrEqual(1);
    }
    expect(Array.from(epochOrder(5, 0, { shuffle: false }))).toEqual([0, 1, 2, 3, 4]);
  });

  it('typed argument errors', () => {
    const load = async () => ({ data: new Float32Array(1), height: 1, width: 1, channels: 1 });
    expect(() => createLoader({ size: 4, batchSize: 0, load, label: () => 0 })).toThrow(
      DataArgumentError,
    );
    expect(() =>
      createLoader({ size: 4, batchSize: 2, rank: 2, worldSize: 2, load, label: () => 0 }),
    ).toThrow(/rank/);
  });

  it('bounded memory on a 10k-image tree: in-flight decodes and buffered images do not grow with N', async () => {
    const root = tmp('10k');
    const bytes = await sharp(gradient(4, 4), { raw: { width: 4, height: 4, channels: 3 } })
      .png()
      .toBuffer();
    const src = join(root, 'src.png');
    await sharp(bytes).toFile(src);
    for (let c = 0; c < 10; c++) {
      const dir = join(root, 'tree', `class${c}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 1000; i++)
        copyFileSync(src, join(dir, `${String(i).padStart(4, '0')}.png`));
    }
    const ds = readImageFolder(join(root, 'tree'));
    expect(ds.samples).toHaveLength(10_000);
    let inFlight = 0;
    let maxInFlight = 0;
    let buffered = 0;
    let maxBuffered = 0;
    const batchSize = 100;
    const prefetch = 2;
    const loader = createImageLoader(ds, {
      batchSize,
      prefetch,
      concurrency: 8,
      seed: 0,
      transform: async (b, _rng, path) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await decodeImageBytes(b, path);
        } finally {
          inFlight--;
          buffered++;
          maxBuffered = Math.max(maxBuffered, buffered);
        }
      },
    });
    const heapBefore = process.memoryUsage().heapUsed;
    let seen = 0;
    await expectNoLeak(async () => {
      for await (const batch of loader.epoch(0)) {
        buffered -= batch.indices.length;
        seen += batch.indices.length;
        batch.images.dispose();
        batch.labels.dispose();
      }
    });
    expect(seen).toBe(10_000);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(maxBuffered).toBeLessThanOrEqual((prefetch + 1) * batchSize);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 2 ** 20);
  });
});
