import { appendFileSync } from 'node:fs';
import { runPaths } from '../runDirectory';
import type { TrainObserver } from './observer';

/** Appends every step and epoch line to metrics.jsonl (read back by `readRunDirectory`). */
export function metricsLog(runDir: string): TrainObserver {
  const path = runPaths(runDir).metrics;
  return {
    step: (line) => appendFileSync(path, `${JSON.stringify(line)}\n`),
    epochEnd: ({ line }) => appendFileSync(path, `${JSON.stringify(line)}\n`),
  };
}
