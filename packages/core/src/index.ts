export {
  checkNumber,
  checkOneOf,
  checkPositiveInteger,
  checkSeed,
} from './argumentChecks';
export { checkOptionKeys } from './checkOptionKeys';
export { closestName } from './closestName';
export type { Rng } from './createRng';
export { createRng, createRngFactory, permutation } from './createRng';
export { defaultLayerName } from './defaultLayerName';
export type { SeedPurpose } from './deriveSeed';
export { deriveSeed, seedPurposes } from './deriveSeed';
export type { ErrorClass } from './errors';
export { RectifierArgumentError, RectifierError } from './errors';
export type { PyramidBins } from './pyramidScan';
export { scanPyramidBins } from './pyramidScan';
export { received } from './received';
export { deserializerKeys, tfjsLayerKeys } from './tfjsLayerKeys';
