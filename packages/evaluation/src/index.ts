export type { ProgressMode, ProgressStream } from '@rectifier/core/progress';
export { type DenseHeadForm, type DenseWindowOptions, denseWindowScores } from './denseHead';
export {
  EvaluationArgumentError,
  EvaluationError,
  ScaleTooSmallError,
} from './errors';
export {
  datasetSource,
  type EvaluateOptions,
  type EvaluationResult,
  type EvaluationSource,
  type Example,
  evaluate,
  evaluateAll,
  type LabelledImage,
  mergeResults,
} from './evaluate';
export { featureMapSide, smallestInputSide, trunkStride } from './geometry';
export {
  type ClassError,
  type ConfusedPair,
  MetricsAccumulator,
  type MetricsState,
  type MetricsSummary,
  type Prediction,
  rankOf,
  TOP_K,
  topPredictions,
} from './metrics';
export {
  type CompositeScorer,
  type CropOptions,
  center,
  type DenseOptions,
  dense,
  ensemble,
  type MultiScaleOptions,
  multiScale,
  type ProtocolName,
  protocolNames,
  type Scorer,
  type TestedModel,
  tenView,
} from './protocols';
export { formatJson, formatPerClassCsv, formatTable, type TableRow } from './report';
