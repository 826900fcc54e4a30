import type { Progress } from '../progress';
import type { TrainObserver } from './observer';

/** Shows the run on `progress` (bar, JSON lines or nothing), and stops it however the run ends. */
export function progressObserver(progress: Progress): TrainObserver {
  return {
    start: ({ totalSteps, doneSteps }) => progress.start(totalSteps, doneSteps),
    step: (l) =>
      progress.update({
        step: l.step,
        epoch: l.epoch,
        loss: l.loss,
        imagesPerSec: l.imagesPerSec,
        lr: l.lr,
      }),
    epochEnd: ({ line }) => progress.epoch({ ...line }),
    close: () => progress.stop(),
  };
}
