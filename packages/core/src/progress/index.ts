export type { TestProgress } from './createTestProgress';
export { createTestProgress } from './createTestProgress';
export type { TrainingProgress } from './createTrainingProgress';
export { createTrainingProgress } from './createTrainingProgress';
export type {
  EpochLine,
  ProgressLine,
  TestProgressLine,
  TrainingProgressLine,
  TrainingUpdate,
  WarningLine,
} from './progressLine';
export type { ProgressMode, ProgressOptions, ProgressStream } from './progressOptions';
export { progressModes } from './progressOptions';
