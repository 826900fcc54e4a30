/*
 * The records of a run directory, as the trainer writes them and `readRunDirectory` returns them:
 * config.json, the lines of metrics.jsonl and slopes.jsonl, summary.json.
 */

/** A metrics.jsonl line written after every optimizer step. */
export interface StepLine {
  type: 'step';
  /** 1-based optimizer step. */
  step: number;
  /** 0-based epoch the step belongs to. */
  epoch: number;
  lr: number;
  /** Mean loss of the step's mini-batch. */
  loss: number;
  top1Error: number;
  top5Error: number;
  imagesPerSec: number;
  /** Time waiting for the batch, and computing the step (ms). */
  dataMs: number;
  stepMs: number;
  /** Wall time of the run so far (ms). */
  timeMs: number;
  /** Multi-device runs only: the step's communication time (ms). */
  commMs?: number;
}

/**
 * Examples the training loader skipped (unreadable, undecodable): how many, and the first
 * {@link MAX_SKIP_EXAMPLES} with their reasons.
 */
export interface SkipRecord {
  count: number;
  examples: { epoch: number; path: string; reason: string }[];
}

/** Skipped examples listed with their reason in a record; the count goes on. */
export const MAX_SKIP_EXAMPLES = 100;

/** A metrics.jsonl line written at every epoch end, with the validation errors when measured. */
export interface EpochLine {
  type: 'epoch';
  epoch: number;
  /** Steps done at the end of this epoch. */
  step: number;
  lr: number;
  trainLoss: number | null;
  trainTop1Error: number | null;
  valTop1Error: number | null;
  valTop5Error: number | null;
  timeMs: number;
  /** Training examples the loader skipped in this epoch (absent before 0.2). */
  skipped?: SkipRecord;
}

/** One line of metrics.jsonl. */
export type MetricLine = StepLine | EpochLine;

/** One line of slopes.jsonl: every PReLU layer's slopes after an epoch (Table 1). */
export interface SlopeLine {
  epoch: number;
  step: number;
  layers: { layer: string; mean: number; values: number[] }[];
}

/** What summary.json holds. */
export interface TrainSummary {
  finished: true;
  /**
   * Why the run ended: its last epoch, or `train`'s `maxSteps` (then `resume` may continue it).
   * Absent in summaries written before 0.2.
   */
  stoppedBy?: 'epochs' | 'maxSteps';
  /** Optimizer steps done. */
  steps: number;
  /** Epochs completed (fewer than asked when stopped by `maxSteps`). */
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
  /**
   * Training examples the loader skipped over the whole run, up to where it stopped (also with
   * `maxSteps` before an epoch ended, when no epoch line reports them). Absent before 0.2.
   */
  skipped?: SkipRecord;
  /** The backend that ran (the last session's, after a resume). */
  backend: string;
  /** The backend asked for (`requestedBackend`, e.g. 'auto'); absent when it was the one that ran. */
  backendRequested?: string;
}

/**
 * `run` of config.json: everything that defines the run, compared field by field on `resume`.
 * `meta` is the caller's (the app stores its own config there).
 */
export interface RunFingerprint {
  seed: number;
  epochs: number;
  accumulate: number;
  checkpointEvery: { epochs: number } | { steps: number };
  keep: number;
  loss: string;
  optimizer: {
    kind: 'sgd-caffe';
    learningRate: number;
    momentum: number;
    weightDecay: number;
    multipliers: { name: string; kind: string; lrMult: number; decayMult: number }[];
  };
  schedule: { kind: string; config: unknown };
  weights: { name: string; shape: number[] }[];
  trainData: { batchesPerEpoch: number; batchSize: number | null; size: number | null };
  valData: { batches: number; size: number | null } | null;
  /** The backend asked for (`requestedBackend`), else the one that ran: compared on resume. */
  backend: string;
  meta: Record<string, unknown> | null;
}

/** config.json. */
export interface RunConfigFile {
  format: number;
  versions: { trainer: string; tfjs: string; node: string };
  run: RunFingerprint;
  /** The model's topology (`model.toJSON(null, false)`). */
  topology: unknown;
  /** The backend asked for and the one that ran when the run started (absent before 0.2). */
  backend?: { requested: string; actual: string };
  createdAt: string;
}
