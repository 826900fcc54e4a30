import { checkOneOf } from '@rectifier/core';
import {
  createTestProgress,
  type ProgressMode,
  type ProgressStream,
  progressModes,
} from '@rectifier/core/progress';
import { type IdxImageDataset, type ImageDataset, readImageBytes } from '@rectifier/data';
import sharp from 'sharp';
import { checkKeys, EvaluationArgumentError } from './errors';
import {
  MetricsAccumulator,
  type MetricsState,
  type MetricsSummary,
  type Prediction,
  topPredictions,
} from './metrics';
import { meanScores, type ProtocolName, type Scorer } from './protocols';

/** One encoded test image and its class index. */
export interface LabelledImage {
  bytes: Buffer;
  label: number;
  path?: string;
}

/** What `evaluate` reads: the class names and the images, pulled one batch at a time. */
export interface EvaluationSource {
  classes: readonly string[];
  images: Iterable<LabelledImage> | AsyncIterable<LabelledImage>;
  /** Number of images, if known (for the ETA). */
  total?: number;
}

/** IDX image i (H×W grey uint8, as `readFashionMnist` holds it) encoded as a lossless PNG. */
function idxPng(ds: IdxImageDataset, i: number): Promise<Buffer> {
  const per = ds.height * ds.width;
  const pixels = Buffer.from(ds.images.buffer, ds.images.byteOffset + i * per, per);
  return sharp(pixels, { raw: { width: ds.width, height: ds.height, channels: 1 } })
    .toColourspace('b-w') // a one-channel PNG, not sRGB's three equal channels
    .png({ compressionLevel: 1 })
    .toBuffer();
}

const isIdx = (d: ImageDataset | IdxImageDataset): d is IdxImageDataset =>
  (d as Partial<IdxImageDataset>).images instanceof Uint8Array;

/**
 * A data set of @rectifier/data as a source, read lazily: a file list (`readIlsvrc`,
 * `readImageFolder`) or IDX images held in memory (`readFashionMnist`, `loadFashionMnistSubset`,
 * each image encoded as a lossless PNG when it is pulled, so it goes through the same decoder as
 * files do). `rank` / `worldSize` keep the samples with index ≡ rank (mod worldSize): one shard per
 * process; merge the shards' results with `mergeResults`. `limit` keeps the first n images.
 */
export function datasetSource(
  dataset: ImageDataset | IdxImageDataset,
  options: { rank?: number; worldSize?: number; limit?: number } = {},
): EvaluationSource {
  checkKeys('datasetSource', options, ['rank', 'worldSize', 'limit']);
  const { rank = 0, worldSize = 1 } = options;
  if (
    !Number.isInteger(worldSize) ||
    worldSize < 1 ||
    !Number.isInteger(rank) ||
    rank < 0 ||
    rank >= worldSize
  ) {
    throw new EvaluationArgumentError(
      `Arguments \`rank\` and \`worldSize\` must be integers with 0 ≤ rank < worldSize. Received: rank=${rank}, worldSize=${worldSize}.`,
    );
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) {
    throw new EvaluationArgumentError(
      `Argument \`limit\` must be a positive integer (the first n images), or undefined for all. Received: limit=${JSON.stringify(options.limit)}.`,
    );
  }
  const size = isIdx(dataset) ? dataset.count : dataset.samples.length;
  const indices = Array.from({ length: Math.min(size, options.limit ?? size) }, (_, i) => i).filter(
    (i) => i % worldSize === rank,
  );
  const read = isIdx(dataset)
    ? (i: number) =>
        idxPng(dataset, i).then((bytes) => ({ bytes, label: dataset.labels[i], path: `idx:${i}` }))
    : async (i: number) => {
        const { path, label } = dataset.samples[i];
        return { bytes: await readImageBytes(path), label, path };
      };
  return {
    classes: dataset.classes,
    total: indices.length,
    images: (async function* () {
      for (const i of indices) yield await read(i);
    })(),
  };
}

export interface EvaluateOptions {
  /** Images per `scorer.score` call (default 16): with the scorer's own batch, bounds memory. */
  batchSize?: number;
  /** Keep the top-5 predictions of the first `examples` images (Figure 5). Default 0. */
  examples?: number;
  /** Most-confused pairs in the summary. Default 10. */
  confusedPairs?: number;
  /** `auto` (default): a bar with ETA on a TTY, JSON lines otherwise; `none` for silence. */
  progress?: ProgressMode;
  /** Where progress goes. Default `process.stderr`. */
  progressStream?: ProgressStream;
}

/** One image's top-5, as Figure 5 shows them. */
export interface Example {
  path: string | null;
  label: number;
  labelName: string;
  top5: Prediction[];
}

/** Every figure of one evaluation and what produced it; plain JSON. */
export interface EvaluationResult extends MetricsSummary {
  protocol: ProtocolName;
  label: string;
  settings: Record<string, unknown>;
  classes: number;
  examples: Example[];
  seconds: number;
  imagesPerSecond: number;
  /** The raw counts, for `mergeResults` across shards. */
  state: MetricsState;
}

/**
 * Runs `scorer` over every image of `source` and accumulates top-1 / top-5 error, per-class
 * errors and confusions. Streams: at most `batchSize` images (bytes and scores) are held at once,
 * and the accumulator's size does not grow with the number of images, so 50,000 images take
 * the memory of a few batches.
 */
export async function evaluate(
  scorer: Scorer,
  source: EvaluationSource,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  return (await evaluateAll([scorer], source, options))[0];
}

/**
 * `evaluate` for several scorers in one pass over `source` (the images are read once), one
 * result each, in order. A scorer that is a part of others (the `dense` scorers inside a
 * `multiScale`, the members of an `ensemble`) scores each image once: a composite's scores are
 * the mean of its parts' scores, so `[dense(256), dense(384), multiScale of those two]` runs the
 * trunk twice per image, not four times. Each result's `seconds` is the whole pass's.
 */
export async function evaluateAll(
  scorers: readonly Scorer[],
  source: EvaluationSource,
  options: EvaluateOptions = {},
): Promise<EvaluationResult[]> {
  checkKeys('evaluate', options, [
    'batchSize',
    'examples',
    'confusedPairs',
    'progress',
    'progressStream',
  ]);
  const { batchSize = 16, examples: keep = 0, confusedPairs = 10 } = options;
  if (!Array.isArray(scorers) || scorers.length === 0) {
    throw new EvaluationArgumentError(
      'Argument `scorers` must be a non-empty array of scorers (center, tenView, dense, multiScale, ensemble).',
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EvaluationArgumentError(
      `Argument \`batchSize\` must be a positive integer. Received: batchSize=${batchSize}.`,
    );
  }
  for (const scorer of scorers) {
    if (scorer.numClasses !== source.classes.length) {
      throw new EvaluationArgumentError(
        `The scorer ${scorer.label} gives ${scorer.numClasses} class scores but the source has ${source.classes.length} classes; ` +
          'build the model with numClasses equal to the data set’s classes.',
      );
    }
  }
  const runs = scorers.map(() => ({
    metrics: new MetricsAccumulator(source.classes),
    examples: [] as Example[],
  }));
  const progress = createTestProgress(scorers.map((s) => s.label).join(', '), source.total, {
    mode: checkOneOf(
      'progress',
      options.progress ?? 'auto',
      progressModes,
      EvaluationArgumentError,
    ),
    stream: options.progressStream ?? process.stderr,
  });
  const started = performance.now();
  let batch: LabelledImage[] = [];
  const flush = async () => {
    const images = batch.map((b) => b.bytes);
    // One score per (scorer, image) for this batch: parts shared by composites are scored once.
    const memo = new Map<Scorer, Promise<Float32Array[]>>();
    const scoresOf = (s: Scorer): Promise<Float32Array[]> => {
      let p = memo.get(s);
      if (p === undefined) {
        const parts = s.parts;
        p =
          parts === undefined
            ? s.score(images)
            : (async () => {
                const sets: Float32Array[][] = [];
                for (const part of parts) sets.push(await scoresOf(part)); // one model call at a time
                return meanScores(sets);
              })();
        memo.set(s, p);
      }
      return p;
    };
    for (const [j, scorer] of scorers.entries()) {
      const scores = await scoresOf(scorer);
      const { metrics, examples } = runs[j];
      batch.forEach((b, i) => {
        metrics.add(scores[i], b.label);
        if (examples.length < keep) {
          examples.push({
            path: b.path ?? null,
            label: b.label,
            labelName: source.classes[b.label],
            top5: topPredictions(scores[i], source.classes),
          });
        }
      });
    }
    batch = [];
    progress.update(runs[0].metrics.size);
  };
  for await (const image of source.images) {
    batch.push(image);
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  progress.stop(runs[0].metrics.size);
  const seconds = (performance.now() - started) / 1000;
  return scorers.map((scorer, j) => {
    const { metrics, examples } = runs[j];
    return {
      protocol: scorer.protocol,
      label: scorer.label,
      settings: scorer.settings,
      classes: source.classes.length,
      ...metrics.summary({ confusedPairs }),
      examples,
      seconds,
      imagesPerSecond: metrics.size / seconds,
      state: metrics.toState(),
    };
  });
}

/**
 * Combines the results of disjoint shards of one evaluation (same protocol and settings) into
 * the result of the whole: counts add exactly; `seconds` is the slowest shard's (they ran side by
 * side), examples are concatenated in shard order.
 */
export function mergeResults(
  results: readonly EvaluationResult[],
  options: { confusedPairs?: number } = {},
): EvaluationResult {
  if (results.length === 0) {
    throw new EvaluationArgumentError(
      'mergeResults: Argument `results` must be a non-empty array.',
    );
  }
  const settings = JSON.stringify(results[0].settings);
  const other = results.findIndex((r) => JSON.stringify(r.settings) !== settings);
  if (other >= 0) {
    throw new EvaluationArgumentError(
      `mergeResults: shard ${other} was evaluated with other settings (${JSON.stringify(results[other].settings)} ` +
        `vs ${settings}); merge only shards of one evaluation.`,
    );
  }
  const metrics = MetricsAccumulator.fromState(results[0].state);
  for (const r of results.slice(1)) metrics.merge(r.state);
  const seconds = Math.max(...results.map((r) => r.seconds));
  return {
    ...results[0],
    ...metrics.summary({ confusedPairs: options.confusedPairs ?? 10 }),
    examples: results.flatMap((r) => r.examples),
    seconds,
    imagesPerSecond: metrics.size / seconds,
    state: metrics.toState(),
  };
}
