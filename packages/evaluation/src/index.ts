export {
  EvaluationArgumentError,
  EvaluationError,
  ScaleTooSmallError,
} from './errors';
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
