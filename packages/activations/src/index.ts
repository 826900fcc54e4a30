import './register';

export type { ActivationKind, ActivationOptions } from './activation';
export { activation, activationKinds } from './activation';
export { isDecayFree, PRELU_SLOPE_WEIGHT_NAME } from './decayFree';
export { ActivationArgumentError, ActivationError } from './errors';
export type { LeakyReLUArgs } from './leakyReLU';
export { LeakyReLU, leakyReLU } from './leakyReLU';
export type { PReLUArgs } from './prelu';
export { PReLU, prelu } from './prelu';
export { preluOp } from './preluOp';
export type { ReLUArgs } from './relu';
export { ReLU, relu } from './relu';
export { leakyReluOp, reluOp } from './reluOp';
