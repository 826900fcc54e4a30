/**
 * How long a collective may wait for another rank before that rank is declared hung.
 *
 * A fixed 10 s aborted healthy jobs on a loaded machine (3 busy processes on 2 cores made a
 * step take longer than that), so unless the caller fixes it, the timeout follows the steps:
 * at least {@link MIN_TIMEOUT_MS}, and at least {@link STEP_FACTOR} × the slowest step seen so
 * far. A genuinely hung rank is still found, just later on slow runs.
 */
export const MIN_TIMEOUT_MS = 60_000;
export const STEP_FACTOR = 10;

export class CollectiveTimeout {
  private slowestMs = 0;

  /** `fixedMs`: the caller's `timeoutMs`, used as given; null derives it from the steps. */
  constructor(readonly fixedMs: number | null) {}

  /** The timeout now, in ms. */
  get ms(): number {
    return this.fixedMs ?? Math.max(MIN_TIMEOUT_MS, STEP_FACTOR * this.slowestMs);
  }

  /** Records a step's duration (ms); the derived timeout never shrinks. */
  observe(stepMs: number): void {
    if (stepMs > this.slowestMs) this.slowestMs = stepMs;
  }
}

/** The advice every timeout error ends with: how to wait longer if the rank was only slow. */
export const RAISE_TIMEOUT_ADVICE =
  'if it was only slow (a loaded machine), raise the timeout: the `timeoutMs` option of train() and resume() (`--collective-timeout SECONDS` of `rectifier train` and `rectifier resume`)';
