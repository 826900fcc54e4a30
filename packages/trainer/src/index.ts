export type { CheckpointPhase, CheckpointState, CheckpointTensor } from './checkpoint';
export { listCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint';
export {
  CheckpointError,
  DivergenceError,
  RunDirectoryError,
  TrainerArgumentError,
  TrainerError,
} from './errors';
export type { LossFn } from './loss';
export { errorCounts, softmaxCrossEntropy } from './loss';
export type { Progress, ProgressMode, ProgressStream, ProgressUpdate } from './progress';
export { createProgress } from './progress';
export type { Loader, TrainHooks, TrainOptions, TrainSummary } from './run';
export { resume, train, weightsSha256 } from './run';
export type {
  PlateauScheduleOptions,
  Schedule,
  ScheduleState,
  StepScheduleOptions,
} from './schedules';
export { constantSchedule, plateauSchedule, stepSchedule } from './schedules';
export type { GroupRule, SgdOptions, SgdState, WeightMultipliers } from './sgd';
export { defaultGroups, SgdOptimizer, sgd } from './sgd';
export type {
  HeadResult,
  ModelParts,
  StepGradientOptions,
  StepGradients,
  TrainableModel,
} from './step';
export { headGradients, modelParts, seedDropout, stepGradients, trunkGradients } from './step';
export type { NamedWeight, WeightKind } from './weights';
export { namedWeights, weightKind, weightName } from './weights';
