import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type BuiltModel, buildModel, type ModelBuildOptions } from '@rectifier/architectures';
import {
  centerCrop,
  compose,
  type FloatTransform,
  horizontalFlip,
  type Pipeline,
  pcaLighting,
  randomCrop,
  resizeShorter,
  scaleJitter,
  subtractMean,
} from '@rectifier/augmentation';
import {
  computeDatasetStats,
  createLoader,
  createRng,
  type DatasetStats,
  type Rng,
} from '@rectifier/data';
import type { Loader } from '@rectifier/trainer';
import type { RunConfig } from './config';
import type { AppDataset, Split } from './datasets';
import { RunDirError } from './errors';

/**
 * The model a config describes, built to output logits (the trainer's loss and the test
 * protocols apply the softmax). Every model reads RGB: grey data decodes to three equal channels.
 * The builder derives every layer's seed from the run's (`deriveSeed`, 0 included).
 */
export function buildFromConfig(c: RunConfig, numClasses: number, softmax = false): BuiltModel {
  return buildModel(c.model, modelOptionsOf(c, numClasses, softmax));
}

/** The builder options of a config's model (what `buildFromConfig` and `describeArchitecture` take). */
export function modelOptionsOf(
  c: RunConfig,
  numClasses: number,
  softmax = false,
): ModelBuildOptions {
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
  return options;
}

function cacheDir(): string {
  return (
    process.env.RECTIFIER_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rectifier')
  );
}

/** The preprocessing the statistics describe: part of their content key. */
const statsPreprocessing = (c: Pick<RunConfig, 'resize' | 'crop'>) =>
  `resize${c.resize}-center${c.crop}`;

/**
 * A loader's `load`: the split's decoded pixels when it has them (IDX: no PNG encode and decode
 * per example, the same pixels), else its encoded bytes.
 */
function loadWith(pipeline: Pipeline, split: Split) {
  const { pixels } = split;
  return pixels
    ? (i: number, rng: Rng) => pipeline.applyPixels(pixels(i), rng)
    : async (i: number, rng: Rng) => pipeline.apply(await split.bytes(i), rng);
}

/**
 * Mean image and colour PCA of the training split at the crop size (shorter side `resize`,
 * centre crop), cached on disk by the split's CONTENT (IDX pixels, or image names with their
 * bytes or sizes and mtimes: `Split.contentKey`) and the geometry, so recoloured images under
 * the same names get new statistics (`rectifier stats`). A run records what it used
 * ({@link recordedStats}) and never reads this cache again.
 */
export function datasetStats(
  data: AppDataset,
  c: Pick<RunConfig, 'resize' | 'crop'>,
): Promise<DatasetStats> {
  const pipeline = compose(resizeShorter(c.resize), centerCrop(c.crop));
  const key = data.train.statsKey(statsPreprocessing(c));
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const load = loadWith(pipeline, data.train);
  return computeDatasetStats({
    size: data.train.size,
    load: (i) => load(i, createRng(0)),
    cachePath: join(cacheDir(), `stats-${hash}.json`),
    key,
  });
}

/**
 * The statistics a run trained with, as it records them in config.json (`run.meta.stats`):
 * the per-channel mean every pipeline subtracts ({@link preprocessOf}) and the colour PCA, with
 * the content key and image count they came from. The per-pixel mean image is left out: no
 * pipeline of the app uses it, and it would put 150 KB (at 112²) of base64 into config.json.
 */
export interface RecordedStats {
  key: string | null;
  count: number;
  height: number;
  width: number;
  channelMean: number[];
  covariance: number[];
  eigenvalues: number[];
  eigenvectors: number[];
  /** √λ per component (pixel levels): what colour altering scales by (recomputed from λ on read). */
  eigenStd: number[];
}

export function recordedStats(s: DatasetStats): RecordedStats {
  return {
    key: s.key,
    count: s.count,
    height: s.height,
    width: s.width,
    channelMean: s.channelMean,
    covariance: s.covariance,
    eigenvalues: s.eigenvalues,
    eigenvectors: s.eigenvectors,
    eigenStd: s.eigenStd,
  };
}

/**
 * `run.meta.stats` of a config.json checked field by field; `undefined` for a run recorded
 * before the app stored its statistics. A damaged record is a {@link RunDirError} naming the
 * file and the field.
 */
export function parseRecordedStats(value: unknown, runDir: string): RecordedStats | undefined {
  if (value === undefined) return undefined;
  const v = value as Record<string, unknown>;
  const bad = (field: string) =>
    new RunDirError(
      runDir,
      `config.json: run.meta.stats.${field} is missing or malformed; the file is damaged — restore it from a copy (the statistics a run trained with cannot be recomputed exactly once the data changed)`,
    );
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('(object)');
  const numbers = (field: keyof RecordedStats, length?: number) => {
    const x = v[field];
    if (
      !Array.isArray(x) ||
      x.some((n) => typeof n !== 'number' || !Number.isFinite(n)) ||
      (length !== undefined && x.length !== length)
    )
      throw bad(field);
    return x as number[];
  };
  const count = (field: 'count' | 'height' | 'width') => {
    const x = v[field];
    if (!Number.isInteger(x) || (x as number) <= 0) throw bad(field);
    return x as number;
  };
  if (v.key !== null && typeof v.key !== 'string') throw bad('key');
  const eigenvalues = numbers('eigenvalues');
  return {
    key: v.key as string | null,
    count: count('count'),
    height: count('height'),
    width: count('width'),
    channelMean: numbers('channelMean', 3),
    covariance: numbers('covariance'),
    eigenvalues,
    eigenvectors: numbers('eigenvectors'),
    eigenStd: eigenvalues.map((l) => Math.sqrt(Math.max(0, l))),
  };
}

/**
 * Mean subtraction (Sec. 3), then the config's `inputScale` (when not 1): the float steps every
 * pipeline ends with. The paper subtracts the
 * per-pixel mean of its 224 crops; dense testing feeds whole images of other sizes, which a
 * crop-sized mean image cannot cover, so training and every test use the per-channel mean (the
 * mean image averaged over its pixels) — the same arithmetic at every size.
 */
export function preprocessOf(
  stats: Pick<DatasetStats, 'channelMean'>,
  inputScale: number,
): FloatTransform[] {
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

/**
 * The training-only colour step: AlexNet's PCA lighting scaled by the training set's colour
 * standard deviations `eigenStd` (√λ, pixel levels — not the eigenvalues, which are variances
 * in levels²), or nothing when `pcaLighting` is off. Lighting adds one RGB constant per image,
 * so it commutes with the mean subtraction after it.
 */
export function colourAlteringOf(
  c: RunConfig,
  stats: Pick<DatasetStats, 'eigenvectors' | 'eigenStd'>,
): FloatTransform[] {
  if (c.pcaLighting === null) return [];
  return [
    pcaLighting({ eigenvectors: stats.eigenvectors, eigenStd: stats.eigenStd, std: c.pcaLighting }),
  ];
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
    load: loadWith(pipeline, split),
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
  const load = loadWith(pipeline, split);
  return createLoader({
    size: split.size,
    load: (i) => load(i, createRng(0)),
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
