/** Base class of every error the app raises on purpose (exit code 1 unless a subclass says 2). */
export class ReproduceError extends Error {
  override name = 'ReproduceError';
  /** Process exit code the CLI ends with: 1 failure, 2 bad usage. */
  readonly exitCode: 1 | 2 = 1;
}

/**
 * Bad usage: an unknown or out-of-range option, an unknown key in a config file, a data path
 * that does not exist. Raised before any work, nothing written; the CLI exits with 2.
 */
export class UsageError extends ReproduceError {
  override name = 'UsageError';
  override readonly exitCode = 2 as const;
}

/** A run directory that is missing, unfinished where a finished run is needed, or foreign (bad usage: exit 2). */
export class RunDirError extends ReproduceError {
  override name = 'RunDirError';
  override readonly exitCode = 2 as const;
  constructor(runDir: string, problem: string, options?: { cause?: unknown }) {
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
