import { RectifierArgumentError, RectifierError } from '@rectifier/core';

/**
 * Base class of every error the app raises on purpose (exit code 1 unless a subclass says 2).
 * `UsageError` and `RunDirError` derive from `RectifierArgumentError` — every bad-usage error of
 * the packages does, which is how the CLI knows exit code 2 — yet `instanceof ReproduceError`
 * still holds for them, as it did before they moved.
 */
export class ReproduceError extends RectifierError {
  override name = 'ReproduceError';
  /** Process exit code the CLI ends with: 1 failure, 2 bad usage. */
  readonly exitCode: 1 | 2 = 1;

  static override [Symbol.hasInstance](value: unknown): value is ReproduceError {
    // `this` is the class asked about: InterruptedError inherits this method.
    // biome-ignore lint/complexity/noThisInStatic: see above
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const usage = value instanceof UsageError || value instanceof RunDirError;
    // biome-ignore lint/complexity/noThisInStatic: see above
    return this === ReproduceError && usage;
  }
}

/**
 * Bad usage: an unknown or out-of-range option, an unknown key in a config file, a data path
 * that does not exist. Raised before any work, nothing written; the CLI exits with 2.
 */
export class UsageError extends RectifierArgumentError {
  override name = 'UsageError';
  readonly exitCode = 2 as const;
}

/** A run directory that is missing, unfinished where a finished run is needed, or foreign (bad usage: exit 2). */
export class RunDirError extends RectifierArgumentError {
  override name = 'RunDirError';
  readonly exitCode = 2 as const;
  constructor(
    readonly runDir: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Run directory ${runDir}: ${problem}`, options);
  }
}

/** Training was stopped by Ctrl-C (SIGINT) after its last checkpoint; `resume` continues it. */
export class InterruptedError extends ReproduceError {
  override name = 'InterruptedError';
  constructor(
    readonly runDir: string,
    readonly step: number,
  ) {
    super(
      `Interrupted at step ${step}; the run is saved. Continue it with: rectifier resume ${runDir}`,
    );
  }
}

/**
 * Training diverged (the trainer's `DivergenceError`), said with what to do from the command
 * line: a new run with a lower `--lr`, since `resume` replays the recorded learning rate.
 */
export class DivergedError extends ReproduceError {
  override name = 'DivergedError';
  constructor(
    readonly runDir: string,
    readonly step: number,
    what: string,
    lastGoodCheckpoint: string | null,
    lr: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Training diverged at step ${step}: ${what}` +
        (lastGoodCheckpoint === null ? '' : ` (last good checkpoint: ${lastGoodCheckpoint})`) +
        `. Train a new run with a lower learning rate, e.g. the same command with --lr ${lr / 10} --run-dir ${runDir}-lr${lr / 10}. ` +
        `\`rectifier resume ${runDir}\` cannot help: it keeps the run's learning rate (${lr}) and replays the same steps exactly, so it would diverge at step ${step} again.`,
      options,
    );
  }
}
