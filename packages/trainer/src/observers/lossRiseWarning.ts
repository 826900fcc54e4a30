import type { Progress } from '../progress';
import type { TrainObserver } from './observer';

/** `train`'s `lossRise` option, resolved: when to warn, and what the caller advises. */
export interface LossRiseRule {
  /** Warn when a step's loss exceeds `factor` × the start. */
  factor: number;
  /** The start: the mean loss of the run's first `window` steps. */
  window: number;
  /** What to do, in the caller's words (an app names its flags and commands). */
  hint: string;
}

/** The library's advice; the app passes its own (`--lr`, `rectifier resume DIR`). */
export const defaultLossRiseHint =
  "lower the optimizer's learningRate (e.g. ÷10) and train again; a NaN loss would stop the run";

/**
 * Warns once when the loss rises far above its start: a learning rate too high for the model
 * and input scale first shows as losses growing many-fold over a few steps (2.3 → 11 → 37 → 160
 * in the Table 2 PReLU net at lr 0.01 on raw pixels) before the NaN that stops the run, and by
 * then an hour may be gone. Only a run watched from its first step has a start to compare
 * with: after a resume the start lies in an earlier session, and nothing is watched.
 */
export function lossRiseWarning(rule: LossRiseRule, progress: Progress): TrainObserver {
  const first: number[] = [];
  let watching = false;
  let warned = false;
  return {
    start(e) {
      watching = e.doneSteps === 0;
    },
    step(line) {
      if (!watching || warned) return;
      if (first.length < rule.window) {
        first.push(line.loss);
        return;
      }
      const start = first.reduce((a, b) => a + b, 0) / first.length;
      if (!(line.loss > rule.factor * start)) return;
      warned = true;
      progress.warn(
        `warning: the loss rose to ${line.loss.toPrecision(3)} at step ${line.step}, ` +
          `${(line.loss / start).toFixed(1)}× its start (${start.toPrecision(3)}, the mean of steps 1–${rule.window}) ` +
          `at learning rate ${line.lr}: the rate is likely too high for this model and input scale; ${rule.hint}.`,
      );
    },
  };
}
