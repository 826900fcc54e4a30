export { compose, type Pipeline, tenCrops } from './compose';
export { AugmentationArgumentError, AugmentationError } from './errors';
export {
  normalize,
  type PcaLightingOptions,
  pcaLighting,
  pcaShift,
  subtractMean,
} from './floatTransforms';
export {
  centerCrop,
  type FloatTransform,
  type GeometricTransform,
  type GeometryPlan,
  horizontalFlip,
  type ResizeKernel,
  type ResizeOptions,
  randomCrop,
  resizeShorter,
  scaleJitter,
  shorterSideSize,
  type Transform,
  tenCrop,
} from './transforms';
export { createWorkerPool, type WorkerPool } from './workerPool';
