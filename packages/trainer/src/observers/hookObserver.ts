import type { TrainHooks } from '../trainOptions';
import type { TrainObserver } from './observer';

/** `train`'s `hooks.afterStep`, called after the metrics line and the progress of each step. */
export function hookObserver(hooks: TrainHooks | undefined): TrainObserver {
  return { step: (line) => hooks?.afterStep?.(line.step, line) };
}
