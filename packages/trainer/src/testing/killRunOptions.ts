import { stepSchedule } from '../schedules';
import { sgd } from '../sgd';
import type { TrainHooks, TrainOptions } from '../trainOptions';
import { tinyLoader, tinyNet } from './tinyNet';

/**
 * The run the SIGKILL tests kill and resume: 3 epochs of 6 steps, checkpoints every 4 steps and
 * at each epoch end, a learning-rate switch, dropout and gradient accumulation, so every piece of
 * state a checkpoint holds matters for the final weights.
 */
export function killRunOptions(hooks: TrainHooks): Omit<TrainOptions, 'runDir'> {
  return {
    model: tinyNet({ side: 12 }),
    optimizer: sgd({ learningRate: 0.05 }),
    schedule: stepSchedule({ at: [2] }),
    trainLoader: tinyLoader({ side: 12 }),
    valLoader: tinyLoader({ side: 12, size: 24, shuffle: false, seed: 9 }),
    epochs: 3,
    seed: 5,
    checkpointEvery: { steps: 4 },
    keep: 2,
    accumulate: 2,
    quiet: true,
    hooks,
  };
}
