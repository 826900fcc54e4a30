import { checkOneOf } from '@rectifier/core';
import {
  createTestProgress,
  type ProgressMode,
  type ProgressStream,
  progressModes,
} from '@rectifier/core/progress';
import { type ImageDataset, readImageBytes } from '@rectifier/data';
import { checkKeys, EvaluationArgumentError } from './errors';
import {
  MetricsAccumulator,
  type MetricsState,
  type MetricsSummary,
  type Prediction,
  topPredictions,
} from './metrics';
import type { Scorer } from './protocols';

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

/**
 * A data set from @rectifier/data's readers (`readIlsvrc`, `readImageFolder`) as a source, read
 * lazily. `rank` / `worldSize` keep the samples with index ≡ rank (mod worldSize): one shard per
 * process; merge the shards' results with `mergeResults`.
 */
export function datasetSource(
  dataset: ImageDataset,
  options: { rank?: number; worldSize?: number } = {},
): EvaluationSource {
  checkKeys('datasetSource', options, ['rank', 'worldSize']);
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
  const samples = dataset.samples.filter((_, i) => i % worldSize === rank);
  return {
    classes: dataset.classes,
    total: samples.length,
    images: (async function* () {
      for (const { path, label } of samples)
        yield { bytes: await readImageBytes(path), label, path };
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
  protocol: string;
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
  checkKeys('evaluate', options, [
    'batchSize',
    'examples',
    'confusedPairs',
    'progress',
    'progressStream',
  ]);
  const { batchSize = 16, examples: keep = 0, confusedPairs = 10 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EvaluationArgumentError(
      `Argument \`batchSize\` must be a positive integer. Received: batchSize=${batchSize}.`,
    );
  }
  if (scorer.numClasses !== source.classes.length) {
    throw new EvaluationArgumentError(
      `The scorer gives ${scorer.numClasses} class scores but the source has ${source.classes.length} classes; ` +
        'build the model with numClasses equal to the data set’s classes.',
    );
  }
  const metrics = new MetricsAccumulator(source.classes);
  const examples: Example[] = [];
  const progress = createTestProgress(scorer.label, source.total, {
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
    const scores = await scorer.score(batch.map((b) => b.bytes));
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
    batch = [];
    progress.update(metrics.size);
  };
  for await (const image of source.images) {
    batch.push(image);
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  progress.stop(metrics.size);
  const seconds = (performance.now() - started) / 1000;
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
