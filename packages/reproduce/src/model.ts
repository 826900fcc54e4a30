import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type BuiltModel, buildModel, type ModelBuildOptions } from '@rectifier/architectures';
import {
  centerCrop,
  compose,
  type FloatTransform,
  horizontalFlip,
  randomCrop,
  resizeShorter,
  scaleJitter,
  subtractMean,
} from '@rectifier/augmentation';
import { computeDatasetStats, createLoader, createRng, type DatasetStats } from '@rectifier/data';
import type { Loader } from '@rectifier/trainer';
import type { RunConfig } from './config';
import type { AppDataset, Split } from './datasets';

/**
 * The model a config describes, built to output logits (the trainer's loss and the test
 * protocols apply the softmax). Every model reads RGB: grey data decodes to three equal channels.
 * The builder derives every layer's seed from the run's (`deriveSeed`, 0 included).
 */
export function buildFromConfig(c: RunConfig, numClasses: number, softmax = false): BuiltModel {
  const options: ModelBuildOptions = {
    activation: c.activation,
    activationOptions: c.activation === 'lrelu' ? { alpha: c.slope } : { init: c.slope },
    init: c.init,
    seed: c.seed,
    numClasses,
    inputChannels: 3,
    widthMultiplier: c.widthMultiplier,
    fcUnits: c.fcUnits,
    softmax,
  };
  if (c.model === 'deep') options.extraLayers = c.extraLayers;
  return buildModel(c.model, options);
}

function cacheDir(): string {
  return (
    process.env.RECTIFIER_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rectifier')
  );
}

/**
 * Mean image and colour PCA of the training split at the crop size (shorter side `resize`,
 * centre crop), cached on disk by data set, size and geometry (`rectifier stats`).
 */
export function datasetStats(
  data: AppDataset,
  c: Pick<RunConfig, 'resize' | 'crop'>,
): Promise<DatasetStats> {
  const pipeline = compose(resizeShorter(c.resize), centerCrop(c.crop));
  const key = `${data.name}|${data.train.size}|${c.resize}|${c.crop}`;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return computeDatasetStats({
    size: data.train.size,
    load: async (i) => pipeline.apply(await data.train.bytes(i), createRng(0)),
    cachePath: join(cacheDir(), `stats-${hash}.json`),
    key,
  });
}

/**
 * Mean subtraction (Sec. 3), then the config's `inputScale` (when not 1): the float steps every
 * pipeline ends with. The paper subtracts the
 * per-pixel mean of its 224 crops; dense testing feeds whole images of other sizes, which a
 * crop-sized mean image cannot cover, so training and every test use the per-channel mean (the
 * mean image averaged over its pixels) — the same arithmetic at every size.
 */
export function preprocessOf(stats: DatasetStats, inputScale: number): FloatTransform[] {
  const mean = subtractMean({ perChannel: stats.channelMean });
  return inputScale === 1 ? [mean] : [mean, scalePixels(inputScale)];
}

/** x ← x · s: the config's `inputScale`, after the mean (the cpu recipe's 1/4 or 1/16). */
function scalePixels(s: number): FloatTransform {
  return {
    kind: 'float',
    name: `scale(${s})`,
    apply(img) {
      const d = img.data;
      for (let i = 0; i < d.length; i++) d[i] *= s;
    },
  };
}

/** Training batches: fixed or jittered shorter side, random crop, flip, mean subtracted. */
export function trainLoaderOf(c: RunConfig, split: Split, pre: FloatTransform[]): Loader {
  const pipeline = compose(
    c.scaleJitter === null
      ? resizeShorter(c.resize)
      : scaleJitter({ min: c.scaleJitter[0], max: c.scaleJitter[1] }),
    randomCrop(c.crop),
    ...(c.flip ? [horizontalFlip(0.5)] : []),
    ...pre,
  );
  const loader = createLoader({
    size: split.size,
    load: async (i, rng) => pipeline.apply(await split.bytes(i), rng),
    label: split.label,
    describe: split.describe,
    batchSize: c.batchSize,
    seed: c.seed,
    shuffle: true,
  });
  return c.maxSteps === null ? loader : limitLoader(loader, c.maxSteps);
}

/** Centre crops of the validation split in order (the trainer's per-epoch validation, Fig. 4). */
export function valLoaderOf(c: RunConfig, split: Split, pre: FloatTransform[]): Loader {
  const pipeline = compose(resizeShorter(c.resize), centerCrop(c.crop), ...pre);
  return createLoader({
    size: split.size,
    load: async (i) => pipeline.apply(await split.bytes(i), createRng(0)),
    label: split.label,
    describe: split.describe,
    batchSize: c.batchSize,
    shuffle: false,
  });
}

/**
 * `--max-steps n` on the app side (the trainer counts epochs): when n is below one epoch, each
 * epoch is cut to its first n batches; the epoch count is cut in `epochsOf`.
 */
function limitLoader(loader: Loader, maxSteps: number): Loader {
  const perEpoch = Math.min(loader.epoch(0).length, maxSteps);
  return {
    batchSize: loader.batchSize,
    size: loader.size,
    epoch(e) {
      const inner = loader.epoch(e);
      return {
        length: Math.min(inner.length, perEpoch),
        async *[Symbol.asyncIterator]() {
          let n = 0;
          for await (const batch of inner) {
            yield batch;
            if (++n >= perEpoch) break;
          }
        },
      };
    },
  };
}

/** Epochs actually trained: `--max-steps` keeps whole epochs (at least one, possibly shortened). */
export function epochsOf(c: RunConfig, loader: Loader): number {
  if (c.maxSteps === null) return c.epochs;
  const perEpoch = loader.epoch(0).length;
  return Math.max(1, Math.min(c.epochs, Math.floor(c.maxSteps / perEpoch)));
}
