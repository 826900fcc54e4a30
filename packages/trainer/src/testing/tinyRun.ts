import { stepSchedule } from '../schedules';
import { sgd } from '../sgd';
import type { TrainOptions } from '../trainOptions';
import { tinyLoader, tinyNet } from './tinyNet';

/**
 * The in-process test run: 48 examples in batches of 8 (6 steps per epoch), 3 epochs, a
 * learning-rate step after epoch 2, a validation set, dropout; seed 0 (it must work: it never
 * reaches tfjs directly).
 */
export function tinyRunOptions(
  overrides: Partial<TrainOptions> = {},
): Omit<TrainOptions, 'runDir'> {
  return {
    model: tinyNet(),
    optimizer: sgd({ learningRate: 0.05 }),
    schedule: stepSchedule({ at: [2] }),
    trainLoader: tinyLoader(),
    valLoader: tinyLoader({ size: 24, shuffle: false, seed: 9 }),
    epochs: 3,
    seed: 0,
    quiet: true,
    ...overrides,
  };
}
