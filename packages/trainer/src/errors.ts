import { RectifierArgumentError, RectifierError } from '@rectifier/core';

/** Base class of every error `@rectifier/trainer` throws on purpose. */
export class TrainerError extends RectifierError {}

/**
 * A bad argument or option (unknown key, learning rate ≤ 0, empty data set…), raised before any
 * step (a `RectifierArgumentError`: the CLI exits with 2).
 */
export class TrainerArgumentError extends RectifierArgumentError {}

/**
 * The run directory cannot be used as asked: it belongs to another config, it already holds a
 * run (`train` instead of `resume`), the run is finished, or it has no usable checkpoint. A bad
 * value the caller gave, so a {@link TrainerArgumentError}.
 */
export class RunDirectoryError extends TrainerArgumentError {
  constructor(
    readonly runDir: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${message} (run directory ${runDir})`, options);
  }
}

/** A checkpoint file that is truncated, corrupt or fails its checksum. */
export class CheckpointError extends TrainerError {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** A NaN or infinite loss or weight: the run stopped; its last good checkpoint is named. */
export class DivergenceError extends TrainerError {
  constructor(
    readonly step: number,
    readonly value: number,
    readonly what: string,
    readonly lastGoodCheckpoint: string | null,
  ) {
    super(
      `Training diverged at step ${step}: ${what} is ${value}. ` +
        (lastGoodCheckpoint === null
          ? 'No checkpoint was written yet. '
          : `Last good checkpoint: ${lastGoodCheckpoint}. `) +
        'Lower the learning rate (Sec. 2.2: deep nets with a poor initialisation blow up or stall) and train a new run in a new run directory. ' +
        "Resuming cannot help: resume() keeps the run's learning rate (it is part of config.json) and replays the same steps exactly, so it would diverge at the same step.",
    );
  }
}

/**
 * A multi-device run failed: a worker died, hung past the timeout, could not start, or an engine
 * is unavailable. Names the worker (rank, pid) and the step; the run's last checkpoint is kept.
 */
export class ParallelError extends TrainerError {
  constructor(
    message: string,
    readonly rank: number | null = null,
    readonly step: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The run was stopped on request (`train`'s `signal` aborted, e.g. by Ctrl-C) after step `step`;
 * checkpoint `checkpoint` holds it, and `resume(runDir, options)` continues exactly from there.
 */
export class TrainingInterruptedError extends TrainerError {
  override name = 'TrainingInterruptedError';
  constructor(
    readonly runDir: string,
    readonly step: number,
    readonly checkpoint: string,
  ) {
    super(
      `Training was interrupted after step ${step}; checkpoint ${checkpoint} holds it. Continue with resume(runDir, options) (run directory ${runDir}).`,
    );
  }
}
