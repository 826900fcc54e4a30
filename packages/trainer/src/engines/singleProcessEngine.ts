import type { LossFn } from '../loss';
import { type ModelParts, stepGradients } from '../step';
import type { Engine } from './engine';

/** The whole step in this process, `accumulate` sub-batches summed (see `stepGradients`). */
export function singleProcessEngine(parts: ModelParts, loss: LossFn, accumulate: number): Engine {
  return {
    step: async (images, labels, { dropoutSeed }) =>
      stepGradients(parts, images, labels, { loss, accumulate, dropoutSeed }),
    stepMetrics: () => ({}),
    finish: async () => {},
    fail: async () => {},
  };
}
