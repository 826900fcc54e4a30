export type { ProtocolFlag, RunConfig, RunConfigInput } from './config';
export { closestKey, configKeys, parseRunConfig, readConfigFile, runConfigSchema } from './config';
export type { AppDataset, Split } from './datasets';
export { openDataset } from './datasets';
export { InterruptedError, ReproduceError, RunDirError, UsageError } from './errors';
export type { EvalResult } from './evaluate';
export { evalResultSchema, evaluateRuns, meanResponses } from './evaluate';
export { exportRun } from './exportModel';
export type { Plan, PlannedImages, PlannedRun, PlannedTest } from './plan';
export { formatPlan, planExperiment } from './plan';
export { experiments } from './presets';
export type {
  ChartKind,
  Experiment,
  PaperRow,
  Variant,
  VariantConfig,
} from './presets/experiment';
export { variantConfig, variantKeys } from './presets/experiment';
export type { Io } from './program';
export { buildProgram, runCli } from './program';
export type { ClaimVerdict, ComparisonRow, ReportOutput } from './report';
export { formatComparison, formatVerdicts, meanStd, writeReport } from './report';
export type { ReproduceResult } from './reproduce';
export {
  configDifferences,
  experimentConfigs,
  reproduce,
  reuseIgnoredKeys,
  runsBase,
  runsSource,
} from './reproduce';
export type { ResultIdentity } from './resultIdentity';
export { resultIdentitySchema } from './resultIdentity';
export type { RunOptions } from './run';
export { loadRunModel, readRun, requestStop, resumeRun, trainRun } from './run';
export { ResultsNotSavedError, resultsForReport, saveEvalResults } from './storedResults';
