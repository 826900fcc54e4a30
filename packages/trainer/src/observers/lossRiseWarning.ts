import type { Progress } from '../progress';
import type { StepLine } from '../runRecords';
import type { TrainObserver } from './observer';

/** `train`'s `lossRise` option, resolved: when to warn, and what the caller advises. */
export interface LossRiseRule {
  /** Warn when a step's loss exceeds `factor` × the start. */
  factor: number;
  /** The start: the mean loss of the run's first `window` steps (of those before, until then). */
  window: number;
  /** What to do, in the caller's words (an app names its flags and commands). */
  hint: string;
}

/** The library's advice; the app passes its own (`--lr`, `rectifier resume DIR`). */
export const defaultLossRiseHint =
  "lower the optimizer's learningRate (e.g. ÷10) and train again; a NaN loss would stop the run";

/**
 * Warns once when the loss rises far above its start: a learning rate too high for the model
 * and input scale first shows as losses growing many-fold over a few steps (2.4 → 61 → 457 →
 * 9·10⁹ in the cpu small net at full width on raw pixels at lr 0.01) before the NaN that stops
 * the run — in a slower blow-up, hours later. Only a run watched from its first step has a start to compare
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
      // From step 2 on, against the steps before it while the window fills: a rate far too
      // high multiplies the loss from the first update on (2.4, 61, 457, 9e9, NaN at step 5).
      if (first.length > 0) {
        const start = first.reduce((a, b) => a + b, 0) / first.length;
        if (line.loss > rule.factor * start) {
          warned = true;
          warn(line, start, first.length);
          return;
        }
      }
      if (first.length < rule.window) first.push(line.loss);
    },
  };

  function warn(line: StepLine, start: number, n: number) {
    const steps = n === 1 ? 'step 1' : `steps 1–${n}`;
    progress.warn(
      `warning: the loss rose to ${line.loss.toPrecision(3)} at step ${line.step}, ` +
        `${(line.loss / start).toFixed(1)}× its start (${start.toPrecision(3)}, the mean of ${steps}) ` +
        `at learning rate ${line.lr}: the rate is likely too high for this model and input scale; ${rule.hint}.`,
    );
  }
}
