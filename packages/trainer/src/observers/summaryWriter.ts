import { runPaths, writeJsonAtomic } from '../runDirectory';
import type { TrainObserver } from './observer';

/** Writes summary.json when the run ends (atomically: a reader never sees half of it). */
export function summaryWriter(runDir: string): TrainObserver {
  return { end: (summary) => writeJsonAtomic(runPaths(runDir).summary, summary) };
}
