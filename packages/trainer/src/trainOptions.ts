import type { Batch } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';
import { type CheckpointPhase, fingerprintHash } from './checkpoint';
import { TrainerArgumentError } from './errors';
import { type LossFn, softmaxCrossEntropy } from './loss';
import { defaultLossRiseHint, type LossRiseRule } from './observers/lossRiseWarning';
import type { TrainObserver } from './observers/observer';
import { checkKeys, checkNumber } from './options';
import {
  type ParallelTrainOptions,
  parallelOptionKeys,
  type ResolvedParallel,
  resolveParallel,
} from './parallel/start';
import type { ProgressMode, ProgressStream } from './progress';
import type { RunFingerprint, StepLine } from './runRecords';
import { constantSchedule, type Schedule } from './schedules';
import { SgdOptimizer } from './sgd';
import { type ModelParts, modelParts, type TrainableModel } from './step';
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
  ): AsyncIterable<Batch> & {
    length: number;
    startBatch?: number;
    /** The examples skipped so far, as @rectifier/data's loaders report them (read at stops). */
    report?: { skipped: { path: string; reason: string }[] };
  };
  batchSize?: number;
  size?: number;
}

/** Test and monitoring hooks, called synchronously. */
export interface TrainHooks {
  /**
   * After optimizer step `step` (1-based) was applied and its metrics line written; `line` is
   * that line: the step's loss, top-1/top-5 errors, learning rate, epoch and timings.
   */
  afterStep?: (step: number, line: StepLine) => void;
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
  /**
   * Stop after this many optimizer steps in total (counted from the run's start, across
   * resumes): a checkpoint is written at that step and summary.json says `stoppedBy: 'maxSteps'`.
   * If the step ends an epoch, that epoch's validation and lines come first. A run stopped so
   * can be continued by `resume` (with a larger or no `maxSteps`). Not part of config.json.
   */
  maxSteps?: number;
  /**
   * Aborting it stops the run after the current step: a checkpoint is written at that step, the
   * progress display stops, and `train`/`resume` reject with {@link TrainingInterruptedError}
   * (step, run directory). `resume` continues exactly. Wire SIGINT to it (an AbortController).
   */
  signal?: AbortSignal;
  /**
   * Log every PReLU layer's slopes to slopes.jsonl after each epoch (default true): the data of
   * Table 1. `false` writes no slopes.jsonl.
   */
  slopes?: boolean;
  /** More observers of the loop's events, called after the built-in ones (see {@link TrainObserver}). */
  observers?: TrainObserver[];
  /**
   * Warn once (through the progress display, as a `warning` line) when a step's loss exceeds
   * `factor` (default 3) × the mean of the run's first `window` (default 3) steps (of the steps
   * before it while fewer), naming the
   * learning rate and `hint` (default: lower the learning rate): the early sign of a rate too
   * high, long before the NaN that stops the run. `false` turns it off. Not part of config.json.
   */
  lossRise?: false | { factor?: number; window?: number; hint?: string };
  /** Extra JSON-able description stored in config.json and compared on resume (e.g. a preset name). */
  meta?: Record<string, unknown>;
  /**
   * The backend recorded in config.json and summary.json, and the one local workers select
   * (default `tf.getBackend()`). Pass `selectBackend()`'s `name`: the oneDNN engine runs under
   * tfjs's `wasm` backend, so `tf.getBackend()` alone cannot tell the two apart.
   */
  backendName?: string;
  /**
   * The backend the caller asked for, when it let something choose (the app's `backend: auto`).
   * config.json's fingerprint records it instead of the engine that ran, so a run that fell
   * back (oneDNN → wasm) resumes on whichever engine is available then; config.json and
   * summary.json record requested and actual apart. Default: the actual backend (pinned).
   */
  requestedBackend?: string;
}

export const optionKeys = [
  'maxSteps',
  'lossRise',
  'signal',
  'slopes',
  'observers',
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
  'requestedBackend',
  ...parallelOptionKeys, // multi-device
] as const;

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

/** The events a {@link TrainObserver} can hear. */
const observerEvents = ['start', 'step', 'epochEnd', 'stop', 'end', 'close'] as const;

/** `train`'s options, checked once and resolved: everything the loop and its observers need. */
export interface TrainPlan {
  options: TrainOptions;
  parts: ModelParts;
  loss: LossFn;
  schedule: Schedule;
  every: { epochs: number } | { steps: number };
  keep: number;
  accumulate: number;
  stepsPerEpoch: number;
  /** `config.json`'s `run`: compared on resume. */
  fingerprint: RunFingerprint;
  /** Its hash, recorded in every checkpoint (which run wrote it). */
  fingerprintHash: string;
  maxSteps: number | null;
  /** Multi-device settings; null for one process. */
  multi: ResolvedParallel | null;
  /** When to warn of a rising loss; null: never (`lossRise: false`). */
  lossRise: LossRiseRule | null;
}

/** `lossRise`, checked: its keys by name, its numbers by value. */
function resolveLossRise(value: TrainOptions['lossRise']): LossRiseRule | null {
  if (value === false) return null;
  const o = value ?? {};
  if (o === null || typeof o !== 'object') {
    throw new TrainerArgumentError(
      `train: \`lossRise\` must be false or { factor?, window?, hint? }. Received: lossRise=${String(value)} (${typeof value})`,
    );
  }
  checkKeys('train: lossRise', o, ['factor', 'window', 'hint']);
  const what = 'train: lossRise';
  const factor = checkNumber(what, 'factor', o.factor ?? 3, 'a number > 1', (v) => v > 1);
  const window = checkNumber(
    what,
    'window',
    o.window ?? 3,
    'a positive integer (steps)',
    (v) => Number.isInteger(v) && v > 0,
  );
  const hint = o.hint ?? defaultLossRiseHint;
  if (typeof hint !== 'string' || hint === '') {
    throw new TrainerArgumentError(
      `${what}: \`hint\` must be a non-empty string (what to do, in the caller's words). Received: hint=${String(hint)} (${typeof hint})`,
    );
  }
  return { factor, window, hint };
}

/** Validates every option and resolves defaults; touches no file. */
export function resolveTrainOptions(options: TrainOptions): TrainPlan {
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
  const positiveInteger = (name: string, value: unknown, rule = 'a positive integer') =>
    checkNumber(what, name, value, rule, (v) => Number.isInteger(v) && v > 0);
  positiveInteger('epochs', options.epochs);
  checkNumber(what, 'seed', options.seed, 'an integer (0 is fine)', Number.isInteger);
  if (
    options.backendName !== undefined &&
    (typeof options.backendName !== 'string' || options.backendName === '')
  ) {
    throw new TrainerArgumentError(
      `train: \`backendName\` must be a non-empty string such as selectBackend()'s \`name\`. Received: backendName=${String(options.backendName)} (${typeof options.backendName})`,
    );
  }
  if (
    options.requestedBackend !== undefined &&
    (typeof options.requestedBackend !== 'string' || options.requestedBackend === '')
  ) {
    throw new TrainerArgumentError(
      `train: \`requestedBackend\` must be a non-empty string such as 'auto'. Received: requestedBackend=${String(options.requestedBackend)} (${typeof options.requestedBackend})`,
    );
  }
  const keep = positiveInteger('keep', options.keep ?? 2);
  const accumulate = positiveInteger('accumulate', options.accumulate ?? 1);
  const ce = options.checkpointEvery ?? 1;
  let every: TrainPlan['every'];
  if (typeof ce === 'object' && ce !== null) {
    checkKeys('train: checkpointEvery', ce, ['steps']);
    every = { steps: positiveInteger('checkpointEvery.steps', ce.steps) };
  } else {
    every = {
      epochs: positiveInteger('checkpointEvery', ce, 'a positive integer (epochs) or { steps: n }'),
    };
  }
  const maxSteps =
    options.maxSteps === undefined
      ? null
      : positiveInteger(
          'maxSteps',
          options.maxSteps,
          'a positive integer (optimizer steps in total)',
        );
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TrainerArgumentError(
      `train: \`signal\` must be an AbortSignal (new AbortController().signal). Received: ${String(options.signal)} (${typeof options.signal})`,
    );
  }
  if (options.slopes !== undefined && typeof options.slopes !== 'boolean') {
    throw new TrainerArgumentError(
      `train: \`slopes\` must be true or false. Received: slopes=${String(options.slopes)} (${typeof options.slopes})`,
    );
  }
  const observers = options.observers ?? [];
  if (!Array.isArray(observers) || observers.some((o) => o === null || typeof o !== 'object')) {
    throw new TrainerArgumentError(
      `train: \`observers\` must be an array of observer objects ({ step?, epochEnd?, stop?, end? }). Received: ${String(observers)}`,
    );
  }
  // A plain object's keys are its methods: a misspelt one (`onStep`) would never be called.
  observers.forEach((o, i) => {
    if (Object.getPrototypeOf(o) === Object.prototype)
      checkKeys(`train: observers[${i}]`, o, observerEvents);
  });
  const lossRise = resolveLossRise(options.lossRise);
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
  const fingerprint: RunFingerprint = {
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
    weights: parts.whole.weights.map((w) => ({ name: weightName(w), shape: w.shape as number[] })),
    trainData: {
      batchesPerEpoch: stepsPerEpoch,
      batchSize: options.trainLoader.batchSize ?? null,
      size: options.trainLoader.size ?? null,
    },
    valData:
      options.valLoader === undefined
        ? null
        : { batches: valBatches, size: options.valLoader.size ?? null },
    backend: options.requestedBackend ?? options.backendName ?? tf.getBackend(),
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
    fingerprintHash: fingerprintHash(fingerprint),
    maxSteps,
    multi,
    lossRise,
  };
}
