import {
  createTrainingProgress,
  type ProgressMode,
  type ProgressStream,
  type TrainingProgress,
} from '@rectifier/core/progress';

export type {
  ProgressMode,
  ProgressStream,
  TrainingProgress as Progress,
  TrainingUpdate as ProgressUpdate,
} from '@rectifier/core/progress';

/**
 * The progress display of a run: `createTrainingProgress` of `@rectifier/core/progress` (a bar on
 * a TTY, JSON lines otherwise), under the trainer's former signature. Metrics always go to
 * metrics.jsonl whatever this shows.
 */
export function createProgress(
  mode: ProgressMode,
  stream?: ProgressStream,
  intervalMs = 5000,
): TrainingProgress {
  return createTrainingProgress({ mode, stream, intervalMs });
}
