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

/**
 * The parallel engines' equivalence run: 40 examples in batches of 8 (5 steps), one epoch, seed
 * 7; dropout 0.5 and PReLU in the net. The local engine's test, the mpi engine's test and its
 * ranks (mpiRun.ts) train exactly this, so their final weights can be compared.
 */
export function parallelRunOptions(
  overrides: Partial<TrainOptions> = {},
): Omit<TrainOptions, 'runDir'> {
  return {
    model: overrides.model ?? tinyNet(),
    optimizer: sgd({ learningRate: 0.05 }),
    trainLoader: tinyLoader({ size: 40 }),
    epochs: 1,
    seed: 7,
    quiet: true,
    ...overrides,
  };
}
