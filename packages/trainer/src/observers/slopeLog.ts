import { appendFileSync } from 'node:fs';
import { runPaths } from '../runDirectory';
import type { SlopeLine } from '../runRecords';
import type { ModelParts } from '../step';
import type { TrainObserver } from './observer';

/** Every PReLU layer's slopes (values and mean) as they stand, read together with `data()`. */
async function slopeLine(parts: ModelParts, epoch: number, step: number): Promise<SlopeLine> {
  const slopes = [...parts.trunkWeights, ...parts.headWeights].filter((w) => w.kind === 'slope');
  const read = await Promise.all(slopes.map((w) => w.variable.data()));
  const layers = slopes.map((w, i) => {
    const values = Array.from(read[i]);
    return {
      layer: w.name.split('/')[0],
      mean: values.reduce((a, b) => a + b, 0) / values.length,
      values,
    };
  });
  return { epoch, step, layers };
}

/**
 * Appends the learned PReLU slopes of every layer to slopes.jsonl after each epoch: the data of
 * Table 1 (the paper's learned coefficients per layer). On by default (`slopes: false` drops it).
 */
export function slopeLog(runDir: string, parts: ModelParts): TrainObserver {
  const path = runPaths(runDir).slopes;
  return {
    epochEnd: async ({ line }) =>
      appendFileSync(path, `${JSON.stringify(await slopeLine(parts, line.epoch, line.step))}\n`),
  };
}
