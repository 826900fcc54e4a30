export type {
  ActivationKind,
  ArchitectureSpec,
  InitKind,
  LayerSpec,
  ModelOptions,
  ResolvedModelOptions,
} from './architectureSpec';
export type { BuiltModel } from './buildArchitecture';
export { buildArchitecture } from './buildArchitecture';
export { builtModelOf } from './builtModelOf';
export type { CpuScaleVariant } from './cpuScale';
export { cpuScaleVariants } from './cpuScale';
export type { DeepNetOptions, Vgg19Options } from './describeArchitecture';
export {
  describeDeepNet,
  describeModelA,
  describeModelB,
  describeModelC,
  describeSmallNet,
  describeVgg19,
} from './describeArchitecture';
export {
  ArchitecturesArgumentError,
  ArchitecturesError,
  FeatureMapTooSmallError,
  ModelFileError,
} from './errors';
export { InputConv2D, inputConv2d } from './inputConv2d';
export { loadModel } from './loadModel';
export type { MeanSpec, ModelMetadata, Preprocessing } from './modelMetadata';
export { readModelMetadata, setModelMetadata } from './modelMetadata';
export type { CpuVariant, ModelBuildOptions, ModelEntry, ModelName } from './modelRegistry';
export {
  builtinModelNames,
  describeArchitecture,
  modelEntry,
  modelNames,
  registerModel,
} from './modelRegistry';
export { buildModel, deepNet, modelA, modelB, modelC, smallNet, vgg19 } from './models';
export { SeededDropout, seededDropout } from './seededDropout';
export type { SpatialPyramidPoolingArgs } from './spatialPyramidPooling';
export { SpatialPyramidPooling, spp } from './spatialPyramidPooling';
export type { BinEdges, SppBinning } from './sppBins';
export { binEdges } from './sppBins';
export type { LayerSummary, ModelSummary, SummarizeOptions } from './summarize';
export { formatSummary, summarize } from './summarize';

import './register';
