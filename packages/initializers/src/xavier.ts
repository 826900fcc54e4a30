import { deserializerKeys } from '@rectifier/core';
import type * as tf from '@tensorflow/tfjs';
import { checkOptionKeys } from './errors';
import { computeFans } from './fans';
import { checkMode } from './msraStd';
import { type Distribution, ScaledDistribution } from './scaledNormal';

/** 'fanIn' / 'fanOut': std = sqrt(1/n) as the paper compares it; 'average': Glorot's sqrt(2/(fanIn+fanOut)). */
export type XavierMode = 'fanIn' | 'fanOut' | 'average';

/** Arguments of `xavier`. */
export interface XavierArgs {
  /** 'fanIn' (default; the paper's "Xavier", std = sqrt(1/n)), 'fanOut', or 'average' (Glorot & Bengio). */
  mode?: XavierMode;
  /** 'normal' (default, untruncated) or 'uniform' with the same std. */
  distribution?: Distribution;
  /**
   * Integer seed, 0 included: every `apply` then draws the same numbers (give each layer its
   * own). Default: unseeded.
   */
  seed?: number;
}

/**
 * "Xavier" initialisation (Glorot & Bengio 2010) in the two forms the paper discusses (Sec. 2.2,
 * "Comparisons with Xavier initialization"): std = sqrt(1/n) (n = fan-in or fan-out), which
 * halves the variance per ReLU layer (×2^-L over L layers), and the averaged
 * sqrt(2/(fanIn + fanOut)). Serialized as `RectifierXavier`.
 */
export class Xavier extends ScaledDistribution {
  static className = 'RectifierXavier';
  readonly mode: XavierMode;

  constructor(args: XavierArgs = {}) {
    checkOptionKeys(args, ['mode', 'distribution', 'seed', ...deserializerKeys], 'xavier');
    super(args.distribution, args.seed);
    const { mode = 'fanIn' } = args;
    checkMode(mode, ['fanIn', 'fanOut', 'average']);
    this.mode = mode;
  }

  stddev(shape: readonly number[]): number {
    const { fanIn, fanOut } = computeFans(shape);
    if (this.mode === 'average') return Math.sqrt(2 / (fanIn + fanOut));
    return Math.sqrt(1 / (this.mode === 'fanIn' ? fanIn : fanOut));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { mode: this.mode, ...super.getConfig() };
  }
}

/** Xavier initializer: std sqrt(1/n) (default fan-in) or Glorot's averaged form. */
export function xavier(args: XavierArgs = {}): Xavier {
  return new Xavier(args);
}
