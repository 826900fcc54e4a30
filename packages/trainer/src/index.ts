export type { CheckpointPhase, CheckpointState, CheckpointTensor } from './checkpoint';
export { fingerprintHash, listCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint';
export {
  CheckpointError,
  DivergenceError,
  ParallelError,
  RunDirectoryError,
  TrainerArgumentError,
  TrainerError,
  TrainingInterruptedError,
} from './errors';
export type { LossFn } from './loss';
export { errorCounts, softmaxCrossEntropy } from './loss';
export type { EpochEndEvent, StopReason, TrainObserver } from './observers/observer';
export type { Collectives } from './parallel/collectives';
export { assignLocalDevice, launchedByMpi, mpiAvailability } from './parallel/mpi';
export type { ParallelMode } from './parallel/replica';
export type { ParallelTrainOptions } from './parallel/start';
export type { Progress, ProgressMode, ProgressStream, ProgressUpdate } from './progress';
export { createProgress } from './progress';
export { resume, train } from './run';
export type { CheckpointChoice, CheckpointEntry, RunDirectory } from './runDirectory';
export { loadCheckpointInto, readRunDirectory } from './runDirectory';
export type {
  EpochLine,
  MetricLine,
  RunConfigFile,
  RunFingerprint,
  SlopeLine,
  StepLine,
  TrainSummary,
} from './runRecords';
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
  ReseedableDropout,
  StepGradientOptions,
  StepGradients,
  TrainableModel,
} from './step';
export {
  headGradients,
  modelParts,
  reseedDropout,
  seedDropout,
  stepGradients,
  trunkGradients,
} from './step';
export type { Loader, TrainHooks, TrainOptions } from './trainOptions';
export type { NamedWeight, WeightKind } from './weights';
export { namedWeights, weightKind, weightName } from './weights';
export { weightsSha256 } from './weightsSha256';
