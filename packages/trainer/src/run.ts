import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { deriveSeed } from '@rectifier/core';
import type { Batch } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';
import { version } from '../package.json'; // inlined by the build: config.json names the release that ran
import {
  type CheckpointPhase,
  type CheckpointState,
  type CheckpointTensor,
  listCheckpoints,
  pruneCheckpoints,
  readCheckpoint,
  removeTemporaries,
  writeCheckpoint,
} from './checkpoint';
import {
  CheckpointError,
  DivergenceError,
  RunDirectoryError,
  TrainerArgumentError,
} from './errors';
import { errorCounts, type LossFn, softmaxCrossEntropy } from './loss';
import { checkKeys, checkNumber } from './options';
import { launchedByMpi } from './parallel/mpi';
// multi-device (issue 12): the parallel/ folder; hooks here are marked "multi-device".
import {
  followParallel,
  type ParallelSession,
  type ParallelTrainOptions,
  parallelOptionKeys,
  type ResolvedParallel,
  resolveParallel,
  startParallel,
} from './parallel/start';
import { createProgress, type Progress, type ProgressMode, type ProgressStream } from './progress';
import { constantSchedule, type Schedule } from './schedules';
import { SgdOptimizer } from './sgd';
import { type ModelParts, modelParts, stepGradients, type TrainableModel } from './step';
import { weightName } from './weights';

/** What `train` reads batches from: `createLoader` / `createImageLoader` of @rectifier/data fit. */
export interface Loader {
  /**
   * The batches of epoch `e` (0-based), in a fixed order for a given e; `length` = batches of
   * the whole epoch. A loader that can start mid-epoch without reading the batches before
   * (`createLoader`'s `startBatch`) echoes `startBatch`; others are read and dropped up to it.
   */
  epoch(
    e: number,
    options?: { startBatch?: number },
  ): AsyncIterable<Batch> & { length: number; startBatch?: number };
  batchSize?: number;
  size?: number;
}

/** Test and monitoring hooks, called synchronously. */
export interface TrainHooks {
  /** After optimizer step `step` (1-based) was applied and its metrics line written. */
  afterStep?: (step: number) => void;
  /** During a checkpoint write of `step` (see `writeCheckpoint`'s phases). */
  checkpoint?: (phase: CheckpointPhase, step: number) => void;
}

export interface TrainOptions extends ParallelTrainOptions {
  /** A BuiltModel built with `softmax: false` ({ trunk, head, model }) or any LayersModel giving logits. */
  model: TrainableModel;
  /** Default {@link softmaxCrossEntropy}. */
  loss?: LossFn;
  optimizer: SgdOptimizer;
  /** Default constant. */
  schedule?: Schedule;
  trainLoader: Loader;
  /** Evaluated (dropout off) after every epoch: validation top-1/top-5 error, as Fig. 4 plots. */
  valLoader?: Loader;
  epochs: number;
  /** The run directory (created; must not hold another run). */
  runDir: string;
  /** Seeds the dropout masks of every step (any integer, 0 included). Shuffle and augmentation use the loaders' own seeds. */
  seed: number;
  /** Checkpoint every n epochs (default 1), or `{ steps: n }`. The last epoch always ends with one. */
  checkpointEvery?: number | { steps: number };
  /** Newest checkpoints kept (default 2), plus the best by validation error. */
  keep?: number;
  /** Sub-batches per mini-batch, gradients summed (default 1): the paper's 128 on less memory. */
  accumulate?: number;
  /** Default `auto`: a bar on a TTY, JSON lines otherwise. */
  progress?: ProgressMode;
  /** Same as `progress: 'none'`. */
  quiet?: boolean;
  /** Where progress goes (default process.stderr). */
  progressStream?: ProgressStream;
  hooks?: TrainHooks;
  /** Extra JSON-able description stored in config.json and compared on resume (e.g. a preset name). */
  meta?: Record<string, unknown>;
  /**
   * The backend recorded in config.json and summary.json (default `tf.getBackend()`). Pass
   * `selectBackend()`'s `name`: the oneDNN engine runs under tfjs's `wasm` backend, so
   * `tf.getBackend()` alone cannot tell the two apart.
   */
  backendName?: string;
}

/** What summary.json holds. */
export interface TrainSummary {
  finished: true;
  steps: number;
  epochs: number;
  wallTimeMs: number;
  trainLoss: number | null;
  trainTop1Error: number | null;
  valTop1Error: number | null;
  valTop5Error: number | null;
  bestCheckpoint: string | null;
  lastCheckpoint: string;
  /** SHA-256 of the final weights in the model's weight order, float32 little-endian. */
  weightsSha256: string;
  backend: string;
}

const optionKeys = [
  'model',
  'loss',
  'optimizer',
  'schedule',
  'trainLoader',
  'valLoader',
  'epochs',
  'runDir',
  'seed',
  'checkpointEvery',
  'keep',
  'accumulate',
  'progress',
  'quiet',
  'progressStream',
  'hooks',
  'meta',
  'backendName',
  ...parallelOptionKeys, // multi-device
] as const;

const FORMAT = 1;

/** SHA-256 of `model`'s weights in its weight order, each as float32 little-endian bytes. */
export function weightsSha256(model: tf.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.weights) {
    const data = w.read().dataSync() as Float32Array;
    hash.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

interface Context {
  options: TrainOptions;
  parts: ModelParts;
  loss: LossFn;
  schedule: Schedule;
  every: { epochs: number } | { steps: number };
  keep: number;
  accumulate: number;
  stepsPerEpoch: number;
  fingerprint: Record<string, unknown>;
  progress: Progress;
  /** multi-device: the session rank 0 drives, when `devices` > 1 or under mpirun. */
  parallel?: ParallelSession;
}

function checkLoader(name: string, loader: unknown): number {
  const l = loader as Loader | undefined;
  if (l === null || typeof l !== 'object' || typeof l.epoch !== 'function') {
    throw new TrainerArgumentError(
      `\`${name}\` must be a loader with an epoch(e) method (createLoader / createImageLoader of @rectifier/data). Received: ${String(loader)} (${typeof loader})`,
    );
  }
  const length = l.epoch(0).length;
  if (!Number.isInteger(length) || length <= 0) {
    throw new TrainerArgumentError(
      `\`${name}\` yields no batch (empty data set: size=${l.size ?? '?'}, batchSize=${l.batchSize ?? '?'}, ${length} batches per epoch). Point it at a non-empty data set.`,
    );
  }
  return length;
}

/** Validates every option and resolves defaults; touches no file. */
function prepare(
  options: TrainOptions,
): Omit<Context, 'progress'> & { multi: ResolvedParallel | null } {
  checkKeys('train', options, optionKeys);
  const what = 'train';
  if (!(options.optimizer instanceof SgdOptimizer)) {
    throw new TrainerArgumentError(
      `train: \`optimizer\` must come from sgd({ learningRate, … }). Received: ${String(options.optimizer)} (${typeof options.optimizer})`,
    );
  }
  if (typeof options.runDir !== 'string' || options.runDir === '') {
    throw new TrainerArgumentError(
      `train: \`runDir\` must be a directory path. Received: runDir=${String(options.runDir)} (${typeof options.runDir})`,
    );
  }
  checkNumber(
    what,
    'epochs',
    options.epochs,
    'a positive integer',
    (v) => Number.isInteger(v) && v > 0,
  );
  checkNumber(what, 'seed', options.seed, 'an integer (0 is fine)', Number.isInteger);
  if (
    options.backendName !== undefined &&
    (typeof options.backendName !== 'string' || options.backendName === '')
  ) {
    throw new TrainerArgumentError(
      `train: \`backendName\` must be a non-empty string such as selectBackend()'s \`name\`. Received: backendName=${String(options.backendName)} (${typeof options.backendName})`,
    );
  }
  const keep = checkNumber(
    what,
    'keep',
    options.keep ?? 2,
    'a positive integer',
    (v) => Number.isInteger(v) && v > 0,
  );
  const accumulate = checkNumber(
    what,
    'accumulate',
    options.accumulate ?? 1,
    'a positive integer',
    (v) => Number.isInteger(v) && v > 0,
  );
  const ce = options.checkpointEvery ?? 1;
  let every: Context['every'];
  if (typeof ce === 'object' && ce !== null) {
    checkKeys('train: checkpointEvery', ce, ['steps']);
    every = {
      steps: checkNumber(
        what,
        'checkpointEvery.steps',
        ce.steps,
        'a positive integer',
        (v) => Number.isInteger(v) && v > 0,
      ),
    };
  } else {
    every = {
      epochs: checkNumber(
        what,
        'checkpointEvery',
        ce,
        'a positive integer (epochs) or { steps: n }',
        (v) => Number.isInteger(v) && v > 0,
      ),
    };
  }
  const progress = options.progress ?? 'auto';
  if (!['auto', 'bar', 'lines', 'none'].includes(progress)) {
    throw new TrainerArgumentError(
      `train: \`progress\` must be 'auto', 'bar', 'lines' or 'none'. Received: progress=${JSON.stringify(progress)}`,
    );
  }
  const multi = resolveParallel(options); // multi-device
  if (multi !== null && accumulate !== 1) {
    throw new TrainerArgumentError(
      `train: \`accumulate\` (${accumulate}) and \`devices\` (${multi.size}) cannot be combined yet; the devices already split the mini-batch — use accumulate: 1.`,
    );
  }
  const stepsPerEpoch = checkLoader('trainLoader', options.trainLoader);
  const valBatches =
    options.valLoader === undefined ? 0 : checkLoader('valLoader', options.valLoader);
  const schedule = options.schedule ?? constantSchedule();
  if (schedule.kind === 'plateau' && options.valLoader === undefined) {
    throw new TrainerArgumentError(
      'train: a plateau schedule watches the validation error; pass a `valLoader` (or use stepSchedule).',
    );
  }
  const parts = modelParts(options.model);
  const multipliers = options.optimizer.bind([...parts.trunkWeights, ...parts.headWeights]);
  const loss = options.loss ?? softmaxCrossEntropy;
  const opt = options.optimizer;
  const fingerprint = {
    seed: options.seed,
    epochs: options.epochs,
    accumulate,
    checkpointEvery: every,
    keep,
    loss: loss.name || 'anonymous',
    optimizer: {
      kind: 'sgd-caffe',
      learningRate: opt.learningRate,
      momentum: opt.momentum,
      weightDecay: opt.weightDecay,
      multipliers,
    },
    schedule: { kind: schedule.kind, config: schedule.config },
    weights: parts.whole.weights.map((w) => ({ name: weightName(w), shape: w.shape })),
    trainData: {
      batchesPerEpoch: stepsPerEpoch,
      batchSize: options.trainLoader.batchSize ?? null,
      size: options.trainLoader.size ?? null,
    },
    valData:
      options.valLoader === undefined
        ? null
        : { batches: valBatches, size: options.valLoader.size ?? null },
    backend: options.backendName ?? tf.getBackend(),
    meta: options.meta ?? null,
  };
  return {
    options,
    parts,
    loss,
    schedule,
    every,
    keep,
    accumulate,
    stepsPerEpoch,
    fingerprint,
    multi,
  };
}

function makeProgress(options: TrainOptions): Progress {
  return createProgress(
    options.quiet ? 'none' : (options.progress ?? 'auto'),
    options.progressStream,
  );
}

const paths = (runDir: string) => ({
  config: join(runDir, 'config.json'),
  metrics: join(runDir, 'metrics.jsonl'),
  slopes: join(runDir, 'slopes.jsonl'),
  summary: join(runDir, 'summary.json'),
  checkpoints: join(runDir, 'checkpoints'),
});

function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The fields of two fingerprints that differ (top-level keys). */
function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

function bytesOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Mutable position of a run; what a checkpoint stores besides tensors. */
interface RunState {
  step: number;
  epoch: number;
  batchInEpoch: number;
  valError: number | null;
  elapsedMs: number;
  epochLoss: number;
  epochTop1: number;
  epochCount: number;
  best: { name: string; valError: number } | null;
  lastCheckpoint: string | null;
  lastVal: { top1: number; top5: number } | null;
}

/**
 * Dropout seed base of optimizer step `step`, from core's `deriveSeed(seed, 'dropout', step)`:
 * ≥ 1 (tfjs ignores seed 0), < 2^30 so offsets stay int32.
 */
function dropoutSeed(seed: number, step: number): number {
  return 1 + (deriveSeed(seed, 'dropout', step) % (2 ** 30 - 1));
}

function tensorsOf(
  ws: { name: string; read(): tf.Tensor }[],
  what: string,
  step: number,
  last: string | null,
) {
  return ws.map((w): CheckpointTensor => {
    const v = w.read();
    const data = v.dataSync() as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]))
        throw new DivergenceError(step, data[i], `${what} ${w.name}`, last);
    }
    return { name: w.name, shape: v.shape, data: Float32Array.from(data) };
  });
}

function checkpoint(ctx: Context, s: RunState): void {
  const { options, parts } = ctx;
  const p = paths(options.runDir);
  const state: CheckpointState & Record<string, unknown> = {
    step: s.step,
    epoch: s.epoch,
    batchInEpoch: s.batchInEpoch,
    valError: s.valError,
    schedule: ctx.schedule.getState(),
    metricsBytes: bytesOf(p.metrics),
    slopesBytes: bytesOf(p.slopes),
    elapsedMs: s.elapsedMs,
    epochStats: { loss: s.epochLoss, top1: s.epochTop1, count: s.epochCount },
    best: s.best,
    lastVal: s.lastVal,
    weights: tensorsOf(
      parts.whole.weights.map((w) => ({ name: weightName(w), read: () => w.read() })),
      'weight',
      s.step,
      s.lastCheckpoint,
    ),
    buffers: options.optimizer.getState().buffers,
  };
  const name = writeCheckpoint(p.checkpoints, state, (phase) =>
    options.hooks?.checkpoint?.(phase, s.step),
  );
  s.lastCheckpoint = name;
  if (
    s.valError !== null &&
    s.batchInEpoch === 0 &&
    (s.best === null || s.valError < s.best.valError)
  ) {
    s.best = { name, valError: s.valError };
  }
  pruneCheckpoints(p.checkpoints, ctx.keep, s.best?.name ?? null);
}

function evaluate(ctx: Context, loader: Loader): Promise<{ top1: number; top5: number }> {
  const { parts } = ctx;
  return (async () => {
    let top1 = 0;
    let top5 = 0;
    let count = 0;
    for await (const batch of loader.epoch(0)) {
      const logits = tf.tidy(() => {
        const f =
          parts.trunk === null
            ? batch.images
            : (parts.trunk.apply(batch.images, { training: false }) as tf.Tensor);
        return parts.head.apply(f, { training: false }) as tf.Tensor2D;
      });
      const e = errorCounts(logits, batch.labels);
      tf.dispose([logits, batch.images, batch.labels]);
      top1 += e.top1;
      top5 += e.top5;
      count += e.count;
    }
    return { top1: top1 / count, top5: top5 / count };
  })();
}

function slopeLine(parts: ModelParts, epoch: number, step: number) {
  const layers = [...parts.trunkWeights, ...parts.headWeights]
    .filter((w) => w.kind === 'slope')
    .map((w) => {
      const values = Array.from(w.variable.dataSync());
      return {
        layer: w.name.split('/')[0],
        mean: values.reduce((a, b) => a + b, 0) / values.length,
        values,
      };
    });
  return { epoch, step, layers };
}

async function run(ctx: Context, s: RunState): Promise<TrainSummary> {
  const { options, parts, schedule, progress } = ctx;
  const p = paths(options.runDir);
  const opt = options.optimizer;
  const startedAt = performance.now() - s.elapsedMs;
  const elapsed = () => performance.now() - startedAt;
  progress.start(options.epochs * ctx.stepsPerEpoch, s.step);
  try {
    for (let epoch = s.epoch; epoch < options.epochs; epoch++) {
      const skip = epoch === s.epoch ? s.batchInEpoch : 0;
      if (epoch !== s.epoch || skip === 0) {
        s.epoch = epoch;
        s.batchInEpoch = 0;
      }
      const lr = opt.learningRate * schedule.factor(epoch);
      const batches =
        skip > 0
          ? options.trainLoader.epoch(epoch, { startBatch: skip })
          : options.trainLoader.epoch(epoch);
      let b = skip > 0 && batches.startBatch === skip ? skip : 0;
      let waitFrom = performance.now();
      for await (const batch of batches) {
        if (b < skip) {
          tf.dispose([batch.images, batch.labels]);
          b++;
          waitFrom = performance.now();
          continue;
        }
        const t0 = performance.now();
        const g = ctx.parallel // multi-device
          ? await ctx.parallel.step(batch.images, batch.labels, {
              step: s.step + 1,
              lr,
              dropoutSeed: dropoutSeed(options.seed, s.step),
            })
          : stepGradients(parts, batch.images, batch.labels, {
              loss: ctx.loss,
              accumulate: ctx.accumulate,
              dropoutSeed: dropoutSeed(options.seed, s.step),
            });
        tf.dispose([batch.images, batch.labels]);
        if (!Number.isFinite(g.loss)) {
          tf.dispose(Object.values(g.grads));
          throw new DivergenceError(s.step + 1, g.loss, 'the loss', s.lastCheckpoint);
        }
        opt.apply(g.grads, lr);
        tf.dispose(Object.values(g.grads));
        s.step++;
        b++;
        s.batchInEpoch = b;
        s.epochLoss += g.loss * g.count;
        s.epochTop1 += g.top1;
        s.epochCount += g.count;
        const now = performance.now();
        const imagesPerSec = (g.count * 1000) / (now - waitFrom);
        const line = {
          type: 'step',
          step: s.step,
          epoch,
          lr,
          loss: g.loss,
          top1Error: g.top1 / g.count,
          top5Error: g.top5 / g.count,
          imagesPerSec,
          dataMs: t0 - waitFrom,
          stepMs: now - t0,
          timeMs: elapsed(),
          ...(ctx.parallel ? { commMs: ctx.parallel.stats.lastMs } : {}), // multi-device
        };
        appendFileSync(p.metrics, `${JSON.stringify(line)}\n`);
        progress.update({ step: s.step, epoch, loss: g.loss, imagesPerSec, lr });
        options.hooks?.afterStep?.(s.step);
        if ('steps' in ctx.every && s.step % ctx.every.steps === 0) {
          s.elapsedMs = elapsed();
          checkpoint(ctx, s);
        }
        waitFrom = performance.now();
      }
      const val = options.valLoader === undefined ? null : await evaluate(ctx, options.valLoader);
      schedule.epochEnd(epoch, val?.top1);
      appendFileSync(p.slopes, `${JSON.stringify(slopeLine(parts, epoch, s.step))}\n`);
      const epochLine = {
        type: 'epoch',
        epoch,
        step: s.step,
        lr,
        trainLoss: s.epochCount > 0 ? s.epochLoss / s.epochCount : null,
        trainTop1Error: s.epochCount > 0 ? s.epochTop1 / s.epochCount : null,
        valTop1Error: val?.top1 ?? null,
        valTop5Error: val?.top5 ?? null,
        timeMs: elapsed(),
      };
      appendFileSync(p.metrics, `${JSON.stringify(epochLine)}\n`);
      progress.epoch(epochLine);
      s.lastVal = val;
      s.valError = val?.top1 ?? null;
      s.epoch = epoch + 1;
      s.batchInEpoch = 0;
      s.epochLoss = 0;
      s.epochTop1 = 0;
      s.epochCount = 0;
      const last = epoch + 1 === options.epochs;
      if (last || ('epochs' in ctx.every && (epoch + 1) % ctx.every.epochs === 0)) {
        s.elapsedMs = elapsed();
        checkpoint(ctx, s);
      }
      if (last) {
        const summary: TrainSummary = {
          finished: true,
          steps: s.step,
          epochs: options.epochs,
          wallTimeMs: elapsed(),
          trainLoss: epochLine.trainLoss,
          trainTop1Error: epochLine.trainTop1Error,
          valTop1Error: epochLine.valTop1Error,
          valTop5Error: epochLine.valTop5Error,
          bestCheckpoint: s.best?.name ?? null,
          lastCheckpoint: s.lastCheckpoint as string,
          weightsSha256: weightsSha256(parts.whole),
          backend: options.backendName ?? tf.getBackend(),
        };
        await ctx.parallel?.finish(s.step, summary); // multi-device: workers end, replicas agree
        writeJsonAtomic(p.summary, summary);
        return summary;
      }
    }
  } finally {
    progress.stop();
  }
  throw new RunDirectoryError(options.runDir, 'The run has no epoch left to train');
}

function freshState(): RunState {
  return {
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    valError: null,
    elapsedMs: 0,
    epochLoss: 0,
    epochTop1: 0,
    epochCount: 0,
    best: null,
    lastCheckpoint: null,
    lastVal: null,
  };
}

/**
 * Trains `model` as Sec. 3 does (SGD in Caffe's form, a schedule, checkpoints) and records the
 * run in `runDir`: config.json, metrics.jsonl (one line per step and per epoch), slopes.jsonl
 * (the PReLU slopes of every layer after each epoch, Table 1), checkpoints/ and, at the end,
 * summary.json. Every option is checked before anything is written; a killed run continues with
 * {@link resume} and ends with the same weights, bit for bit, as if it had not been killed.
 */
export async function train(options: TrainOptions): Promise<TrainSummary> {
  const prepared = prepare(options);
  if (isFollower(prepared.multi)) return follow(prepared);
  const p = paths(options.runDir);
  if (existsSync(p.config)) {
    const stored = JSON.parse(readFileSync(p.config, 'utf8')) as { run: Record<string, unknown> };
    const diff = differences(stored.run, prepared.fingerprint);
    throw new RunDirectoryError(
      options.runDir,
      diff.length === 0
        ? 'This directory already holds this run: continue it with resume(runDir, options), or choose a new runDir'
        : `This directory belongs to another run (its config differs in: ${diff.join(', ')}); choose a new runDir`,
    );
  }
  if (existsSync(options.runDir) && readdirSync(options.runDir).length > 0) {
    throw new RunDirectoryError(
      options.runDir,
      'The directory is not empty and holds no run (no config.json); choose a new or empty runDir',
    );
  }
  mkdirSync(p.checkpoints, { recursive: true });
  const topology = prepared.parts.whole.toJSON(null, false);
  writeJsonAtomic(p.config, {
    format: FORMAT,
    versions: { trainer: version, tfjs: tf.version.tfjs, node: process.version },
    run: prepared.fingerprint,
    topology,
    createdAt: new Date().toISOString(),
  });
  const ctx: Context = { ...prepared, progress: makeProgress(options) };
  const s = freshState();
  // Step 0: the initial weights, so a run killed before its first checkpoint resumes exactly.
  checkpoint(ctx, s);
  return runAll(ctx, s, prepared.multi);
}

/**
 * Continues the run in `runDir` from its newest readable checkpoint. `options` are the same as
 * for `train` (without `runDir`): the same model architecture, loaders, optimizer and schedule;
 * they are compared with config.json and a difference is an error naming the fields. A
 * truncated or corrupt checkpoint is reported, renamed `*.corrupt`, and the previous one used.
 */
export async function resume(
  runDir: string,
  options: Omit<TrainOptions, 'runDir'>,
): Promise<TrainSummary> {
  const full = { ...options, runDir } as TrainOptions;
  const prepared = prepare(full);
  if (isFollower(prepared.multi)) return follow(prepared);
  const p = paths(runDir);
  if (!existsSync(p.config)) {
    throw new RunDirectoryError(
      runDir,
      'No config.json: this is not a run directory; start it with train()',
    );
  }
  if (existsSync(p.summary)) {
    throw new RunDirectoryError(
      runDir,
      'The run is finished (summary.json exists); train a new run in another runDir',
    );
  }
  const stored = JSON.parse(readFileSync(p.config, 'utf8')) as { run: Record<string, unknown> };
  const diff = differences(stored.run, prepared.fingerprint);
  if (diff.length > 0) {
    throw new RunDirectoryError(
      runDir,
      `The options differ from the run's config.json in: ${diff.join(', ')}; resume with the options the run was started with`,
    );
  }
  const progress = makeProgress(full);
  let loaded: CheckpointState | null = null;
  let loadedName = '';
  for (const name of listCheckpoints(p.checkpoints)) {
    try {
      loaded = readCheckpoint(join(p.checkpoints, name));
      loadedName = name;
      break;
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      progress.warn(`${err.message}; using the previous checkpoint`);
      renameSync(join(p.checkpoints, name), join(p.checkpoints, `${name}.corrupt`));
    }
  }
  if (loaded === null) {
    throw new RunDirectoryError(
      runDir,
      'No readable checkpoint in checkpoints/; start the run again with train() in a new runDir',
    );
  }
  removeTemporaries(p.checkpoints);
  const ctx: Context = { ...prepared, progress };
  restore(ctx, loaded);
  truncateSync(p.metrics, Math.min(loaded.metricsBytes, bytesOf(p.metrics)));
  if (existsSync(p.slopes)) truncateSync(p.slopes, Math.min(loaded.slopesBytes, bytesOf(p.slopes)));
  const extra = loaded as CheckpointState & {
    epochStats: { loss: number; top1: number; count: number };
    best: RunState['best'];
    lastVal: RunState['lastVal'];
  };
  const s: RunState = {
    step: loaded.step,
    epoch: loaded.epoch,
    batchInEpoch: loaded.batchInEpoch,
    valError: loaded.valError,
    elapsedMs: loaded.elapsedMs,
    epochLoss: extra.epochStats.loss,
    epochTop1: extra.epochStats.top1,
    epochCount: extra.epochStats.count,
    best: extra.best,
    lastCheckpoint: loadedName,
    lastVal: extra.lastVal,
  };
  return runAll(ctx, s, prepared.multi);
}

/** Puts a checkpoint's weights, momentum buffers and schedule state into the live objects. */
function restore(ctx: Context, c: CheckpointState): void {
  const byName = new Map(c.weights.map((w) => [w.name, w]));
  for (const w of ctx.parts.whole.weights) {
    const saved = byName.get(weightName(w));
    if (saved === undefined) {
      throw new CheckpointError('checkpoint', `has no weight ${weightName(w)}`);
    }
    const t = tf.tensor(saved.data, saved.shape);
    w.write(t);
    t.dispose();
  }
  ctx.options.optimizer.setState({ buffers: c.buffers });
  ctx.schedule.setState(c.schedule);
}

// multi-device: MPI ranks other than 0 follow rank 0 and never touch the run directory.
function isFollower(multi: ResolvedParallel | null): boolean {
  return multi?.engine === 'mpi' && (launchedByMpi()?.rank ?? 0) !== 0;
}

function follow(prepared: ReturnType<typeof prepare>): Promise<TrainSummary> {
  const { multi, parts, options, loss } = prepared;
  return followParallel<TrainSummary>(multi as ResolvedParallel, parts, options.optimizer, loss);
}

/** multi-device: `run` with the session started first (weights sent) and stopped on failure. */
async function runAll(
  ctx: Context,
  s: RunState,
  multi: ResolvedParallel | null,
): Promise<TrainSummary> {
  if (multi === null) return run(ctx, s);
  ctx.parallel = await startParallel(multi, ctx.parts, ctx.options.optimizer, ctx.loss);
  try {
    return await run(ctx, s);
  } catch (e) {
    await ctx.parallel.fail(String(e));
    throw e;
  }
}
