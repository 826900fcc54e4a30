import type { EpochLine, StepLine, TrainSummary } from '../runRecords';

/** Why the loop stopped: the last epoch ended, `maxSteps` was reached, or `signal` aborted. */
export type StopReason = 'epochs' | 'maxSteps' | 'interrupted';

/** An epoch ended: its metrics line and whether it was the run's last. */
export interface EpochEndEvent {
  line: EpochLine;
  last: boolean;
}

/**
 * An observer of the training loop (Keras' callbacks): the loop steps and emits events; the
 * metrics log, checkpoints, progress, slopes and summary are observers, and `train`'s
 * `observers` option adds more. Methods are called in the observers' order; one that returns a
 * promise (an `async` method) is awaited before the next observer hears the event — the
 * checkpoints and slopes read the weights with `data()`, as webgpu in Node has no synchronous
 * read. An exception or a rejection stops the run (the last checkpoint stays).
 */
export interface TrainObserver {
  /** Before the first step this process takes (after a resume: `doneSteps` > 0). */
  start?(e: { totalSteps: number; doneSteps: number }): void;
  /** After every optimizer step, with its metrics line. */
  step?(line: StepLine): void;
  /** After every epoch (validation included, when there is a `valLoader`). */
  epochEnd?(e: EpochEndEvent): void;
  /** The loop stops (before the summary, or before `train` rejects when interrupted). */
  stop?(e: { reason: StopReason; step: number }): void;
  /** The run ended with this summary (not called when interrupted). */
  end?(summary: TrainSummary): void;
  /** Always called last, after success or failure: release what `start` took. */
  close?(): void;
}
