import { received } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { decodeImageBytes, readImageBytes } from './decodeImage';
import { checkOptionKeys, DataArgumentError, ImageDecodeError } from './errors';
import type { ImageDataset, RawImage } from './image';
import { createRng, permutation, type Rng } from './rng';

/** One batch: NHWC float32 images and int32 labels. The caller owns (and disposes) both. */
export interface Batch {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  /** Data-set indices of the examples in this batch, in batch order. */
  indices: number[];
}

/** A sample the loader skipped because it could not be read or decoded. */
export interface SkippedSample {
  index: number;
  path: string;
  reason: string;
}

/** What an epoch did, filled in as it runs and complete when its iterator finishes. */
export interface EpochReport {
  epoch: number;
  batches: number;
  examples: number;
  skipped: SkippedSample[];
}

export interface LoaderOptions {
  /** Number of examples in the data set. */
  size: number;
  /**
   * Loads example `index` (decode + augmentation) using only `rng` for randomness. Throw
   * {@link ImageDecodeError} for unreadable data: the loader skips and reports the example.
   */
  load: (index: number, rng: Rng) => Promise<RawImage>;
  label: (index: number) => number;
  /** Names example `index` in reports (a file path). */
  describe?: (index: number) => string;
  batchSize: number;
  /** Seeds the per-epoch shuffle and every per-example RNG: any integer, 0 included (the default). */
  seed?: number;
  /** Shuffle each epoch (default true). Off = data-set order, for evaluation. */
  shuffle?: boolean;
  /** This process's shard (0-based) and the number of shards (default 0 of 1). */
  rank?: number;
  worldSize?: number;
  /** Examples decoded at once (default 4; libuv's pool runs sharp's work, 4 threads by default). */
  concurrency?: number;
  /** Batches decoded ahead of the consumer (default 2); memory is bounded by this, not by `size`. */
  prefetch?: number;
  /** Drop a final partial batch (default false). */
  dropLast?: boolean;
  /** Called with the finished report at the end of each epoch (default: warn when skips happened). */
  onEpochEnd?: (report: EpochReport) => void;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new DataArgumentError(message);
}

function checkSeed(seed: unknown): void {
  check(
    typeof seed === 'number' && Number.isSafeInteger(seed),
    `Argument \`seed\` must be an integer (0 included). Received: seed=${received(seed)}`,
  );
}

/** A concurrency limiter for promise-returning work. */
function limiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * The example order of one epoch for one shard: a permutation of 0..size-1 seeded by
 * (seed, epoch), then every `worldSize`-th entry starting at `rank`. All ranks compute the same
 * permutation, so shards are disjoint and their union is exactly the epoch (no padding, unlike
 * PyTorch's DistributedSampler: shard lengths may differ by one).
 */
export function epochOrder(
  size: number,
  epoch: number,
  { seed = 0, shuffle = true, rank = 0, worldSize = 1 } = {},
): Int32Array {
  checkSeed(seed);
  const all = shuffle
    ? permutation(size, createRng(seed, 0x5eed, epoch))
    : Int32Array.from({ length: size }, (_, i) => i);
  if (worldSize === 1) return all;
  const out = new Int32Array(Math.ceil((size - rank) / worldSize));
  for (let i = rank, k = 0; i < size; i += worldSize, k++) out[k] = all[i];
  return out;
}

/**
 * A streaming, sharded, seeded batch loader. `loader.epoch(e)` is an async iterable of batches;
 * examples of a batch are decoded in parallel (at most `concurrency` at once) while up to
 * `prefetch` later batches are already decoding. Each example's randomness comes from
 * `createRng(seed, epoch, index)`, so the pixels do not depend on `concurrency`, on timing or on
 * the shard layout. A failing example is dropped from its batch (labels stay paired with their
 * images), recorded in the epoch report and announced at epoch end.
 *
 * Tensors are created only when a batch is handed out, so abandoning an epoch leaks nothing.
 */
/** Keys of `LoaderOptions`. */
const loaderKeys = [
  'size',
  'load',
  'label',
  'describe',
  'batchSize',
  'seed',
  'shuffle',
  'rank',
  'worldSize',
  'concurrency',
  'prefetch',
  'dropLast',
  'onEpochEnd',
] as const;

export function createLoader(options: LoaderOptions) {
  checkOptionKeys(options, loaderKeys, 'createLoader');
  if (options === undefined) {
    throw new DataArgumentError(
      'createLoader needs { size, load, label, batchSize }. Received: no options.',
    );
  }
  for (const fn of ['load', 'label'] as const) {
    if (typeof options[fn] !== 'function') {
      throw new DataArgumentError(
        `Option \`${fn}\` of createLoader must be a function of the example index. Received: ${fn}=${received(options[fn])}`,
      );
    }
  }
  const {
    size,
    batchSize,
    seed = 0,
    shuffle = true,
    rank = 0,
    worldSize = 1,
    concurrency = 4,
    prefetch = 2,
    dropLast = false,
  } = options;
  checkSeed(seed);
  check(
    Number.isInteger(size) && size >= 0,
    `Argument \`size\` must be a non-negative integer. Received: size=${received(size)}`,
  );
  check(
    Number.isInteger(batchSize) && batchSize > 0,
    `Argument \`batchSize\` must be a positive integer. Received: batchSize=${received(batchSize)}`,
  );
  check(
    Number.isInteger(worldSize) && worldSize > 0,
    `Argument \`worldSize\` must be a positive integer. Received: worldSize=${worldSize}`,
  );
  check(
    Number.isInteger(rank) && rank >= 0 && rank < worldSize,
    `Argument \`rank\` must be an integer in [0, worldSize). Received: rank=${rank}, worldSize=${worldSize}`,
  );
  check(
    Number.isInteger(concurrency) && concurrency > 0,
    `Argument \`concurrency\` must be a positive integer. Received: concurrency=${concurrency}`,
  );
  check(
    Number.isInteger(prefetch) && prefetch >= 0,
    `Argument \`prefetch\` must be a non-negative integer. Received: prefetch=${prefetch}`,
  );
  const describe = options.describe ?? ((i: number) => `#${i}`);
  const onEpochEnd =
    options.onEpochEnd ??
    ((r: EpochReport) => {
      if (r.skipped.length > 0) {
        console.warn(
          `epoch ${r.epoch}: skipped ${r.skipped.length} unreadable example(s):\n` +
            r.skipped.map((s) => `  ${s.path}: ${s.reason}`).join('\n'),
        );
      }
    });

  type Loaded = { index: number; image: RawImage } | { index: number; error: SkippedSample };

  /**
   * The batches of epoch `e`. `startBatch` (default 0) begins at that batch without reading the
   * ones before it — a resumed run's loader position; the batches are those the full epoch
   * yields from there (same examples, same per-example randomness). `length` stays the whole
   * epoch's batch count; the returned `startBatch` echoes where iteration begins.
   */
  function epoch(
    e: number,
    { startBatch: first = 0 }: { startBatch?: number } = {},
  ): AsyncIterable<Batch> & { report: EpochReport; length: number; startBatch: number } {
    const order = epochOrder(size, e, { seed, shuffle, rank, worldSize });
    const nBatches = dropLast
      ? Math.floor(order.length / batchSize)
      : Math.ceil(order.length / batchSize);
    check(
      Number.isInteger(first) && first >= 0 && first <= nBatches,
      `Argument \`startBatch\` must be an integer in [0, ${nBatches}] (the epoch's batches). Received: startBatch=${first}`,
    );
    const report: EpochReport = { epoch: e, batches: 0, examples: 0, skipped: [] };
    const limit = limiter(concurrency);
    const loadOne = (index: number): Promise<Loaded> =>
      limit(async () => {
        try {
          return { index, image: await options.load(index, createRng(seed, e, index)) };
        } catch (err) {
          if (!(err instanceof ImageDecodeError)) throw err;
          return { index, error: { index, path: describe(index), reason: err.message } };
        }
      });
    const startBatch = (b: number) =>
      Promise.all(Array.from(order.subarray(b * batchSize, (b + 1) * batchSize), loadOne));

    async function* run(): AsyncGenerator<Batch> {
      const queue: Promise<Loaded[]>[] = [];
      let next = first;
      const fill = () => {
        while (next < nBatches && queue.length <= prefetch) queue.push(startBatch(next++));
      };
      fill();
      while (queue.length > 0) {
        const loaded = await (queue.shift() as Promise<Loaded[]>);
        fill();
        const ok: { index: number; image: RawImage }[] = [];
        for (const l of loaded) {
          if ('error' in l) report.skipped.push(l.error);
          else ok.push(l);
        }
        if (ok.length === 0) continue;
        const batch = toBatch(ok, options.label);
        report.batches++;
        report.examples += ok.length;
        yield batch;
      }
      onEpochEnd(report);
    }
    return { [Symbol.asyncIterator]: run, report, length: nBatches, startBatch: first };
  }

  return { epoch, size, batchSize };
}

function toBatch(ok: { index: number; image: RawImage }[], label: (i: number) => number): Batch {
  const { height, width, channels } = ok[0].image;
  const per = height * width * channels;
  const data = new Float32Array(ok.length * per);
  ok.forEach(({ image, index }, k) => {
    if (image.height !== height || image.width !== width || image.channels !== channels) {
      throw new DataArgumentError(
        `Every example of a batch must have the same shape; example ${index} is ` +
          `${image.height}x${image.width}x${image.channels}, the batch is ${height}x${width}x${channels}. ` +
          'Crop or resize to a fixed size in the transform.',
      );
    }
    data.set(image.data, k * per);
  });
  return {
    images: tf.tensor4d(data, [ok.length, height, width, channels]),
    labels: tf.tensor1d(
      ok.map((o) => label(o.index)),
      'int32',
    ),
    indices: ok.map((o) => o.index),
  };
}

/** A per-image transform from encoded bytes to pixels (what `@rectifier/augmentation` builds). */
export type BytesTransform = (bytes: Buffer, rng: Rng, path: string) => Promise<RawImage>;

/**
 * A loader over an {@link ImageDataset} (ILSVRC, ImageFolder): reads each file, then runs
 * `transform` (default: plain decode to RGB, so all images must share a size).
 */
export function createImageLoader(
  dataset: ImageDataset,
  options: Omit<LoaderOptions, 'size' | 'load' | 'label' | 'describe'> & {
    transform?: BytesTransform;
  },
) {
  checkOptionKeys(
    options,
    [...loaderKeys.filter((k) => !['size', 'load', 'label', 'describe'].includes(k)), 'transform'],
    'createImageLoader',
  );
  if (!Array.isArray(dataset?.samples)) {
    throw new DataArgumentError(
      `Argument \`dataset\` of createImageLoader must be an ImageDataset (readImageFolder, readIlsvrc). Received: dataset=${received(dataset)}`,
    );
  }
  const { transform: given, ...loaderOptions } = options;
  const transform: BytesTransform = given ?? ((bytes, _rng, path) => decodeImageBytes(bytes, path));
  const { samples } = dataset;
  return createLoader({
    ...loaderOptions,
    size: samples.length,
    label: (i) => samples[i].label,
    describe: (i) => samples[i].path,
    load: async (i, rng) => transform(await readImageBytes(samples[i].path), rng, samples[i].path),
  });
}
