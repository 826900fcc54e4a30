import { deserializerKeys } from '@rectifier/core';
import type * as tf from '@tensorflow/tfjs';
import { checkOptionKeys } from './errors';
import { checkMode, checkSlope, type FanMode, msraStd } from './msraStd';
import { type Distribution, ScaledDistribution } from './scaledNormal';

/** Arguments of `msra`. */
export interface MsraArgs {
  /** 'fanIn' (default, Eqn 12: n = k²·c) or 'fanOut' (Eqn 16: n̂ = k²·d). */
  mode?: FanMode;
  /** Negative slope of the following rectifier: 0 for ReLU (default), 0.25 for PReLU at init. */
  slope?: number;
  /** 'normal' (default, untruncated, as the paper) or 'uniform' with the same std. */
  distribution?: Distribution;
  /**
   * Integer seed, 0 included: every `apply` then draws the same numbers (give each layer its
   * own). Default: unseeded.
   */
  seed?: number;
}

/**
 * MSRA / He initialisation, exact to the paper (Sec. 2.2): zero-mean Gaussian, not truncated,
 * std = sqrt(2 / ((1 + a²)·n)). Serialized as `RectifierMsra` (not tfjs's `HeNormal`).
 */
export class Msra extends ScaledDistribution {
  static className = 'RectifierMsra';
  readonly mode: FanMode;
  readonly slope: number;

  constructor(args: MsraArgs = {}) {
    checkOptionKeys(args, ['mode', 'slope', 'distribution', 'seed', ...deserializerKeys], 'msra');
    super(args.distribution, args.seed);
    const { mode = 'fanIn', slope = 0 } = args;
    checkMode(mode, ['fanIn', 'fanOut']);
    checkSlope(slope);
    this.mode = mode;
    this.slope = slope;
  }

  stddev(shape: readonly number[]): number {
    return msraStd(shape, { mode: this.mode, slope: this.slope });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { mode: this.mode, slope: this.slope, ...super.getConfig() };
  }
}

/**
 * MSRA initializer for conv / dense kernels (Eqn 12 / 16).
 *
 * ```ts
 * tf.layers.conv2d({ filters: 64, kernelSize: 3, kernelInitializer: msra({ slope: 0.25 }) });
 * ```
 */
export function msra(args: MsraArgs = {}): Msra {
  return new Msra(args);
}
