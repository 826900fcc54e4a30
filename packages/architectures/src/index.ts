export {
  ArchitecturesArgumentError,
  ArchitecturesError,
  FeatureMapTooSmallError,
} from './errors';
export type { SpatialPyramidPoolingArgs } from './spatialPyramidPooling';
export { SpatialPyramidPooling, spp } from './spatialPyramidPooling';
export type { BinEdges, SppBinning } from './sppBins';
export { binEdges } from './sppBins';

import './register';
