import './register';

export { InitializerArgumentError, InitializerError } from './errors';
export type { Fans } from './fans';
export { computeFans } from './fans';
export type { GaussianArgs } from './gaussian';
export { Gaussian, gaussian } from './gaussian';
export type { MsraArgs } from './msra';
export { Msra, msra } from './msra';
export type { FanMode, MsraStdOptions } from './msraStd';
export { msraStd } from './msraStd';
export type { LayerPropagation, PropagationOptions, PropagationReport } from './propagation';
export { propagation } from './propagation';
export type { Distribution } from './scaledNormal';
export { ScaledDistribution } from './scaledNormal';
export { tfjsSeed } from './tfjsSeed';
export type { XavierArgs, XavierMode } from './xavier';
export { Xavier, xavier } from './xavier';
