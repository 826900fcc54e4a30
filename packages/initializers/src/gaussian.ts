import { deserializerKeys, received } from '@rectifier/core';
import type * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InitializerArgumentError } from './errors';
import { type Distribution, ScaledDistribution } from './scaledNormal';

/** Arguments of `gaussian`. */
export interface GaussianArgs {
  /** Fixed standard deviation, e.g. 0.01 (older nets, fc1/fc2) or 0.001 (last fc) — Sec. 2.2. */
  stddev: number;
  distribution?: Distribution;
  /**
   * Integer seed, 0 included: every `apply` then draws the same numbers (give each layer its
   * own). Default: unseeded.
   */
  seed?: number;
}

/**
 * Zero-mean, fixed-std Gaussian (untruncated). The paper uses std 0.01 for fc1/fc2 and 0.001 for
 * the last fc so that un-normalised inputs do not overflow the softmax (Sec. 2.2), and std 0.01
 * everywhere as the "old" initialisation that stalls deep nets. Serialized as `RectifierGaussian`.
 */
export class Gaussian extends ScaledDistribution {
  static className = 'RectifierGaussian';
  readonly stddevValue: number;

  constructor(args: GaussianArgs) {
    if (args === undefined) {
      throw new InitializerArgumentError(
        'gaussian needs its `stddev`, e.g. gaussian({ stddev: 0.01 }). Received: no options.',
      );
    }
    checkOptionKeys(args, ['stddev', 'distribution', 'seed', ...deserializerKeys], 'gaussian');
    super(args.distribution, args.seed);
    const stddev = args.stddev;
    if (typeof stddev !== 'number' || !(stddev >= 0) || !Number.isFinite(stddev)) {
      throw new InitializerArgumentError(
        `Argument \`stddev\` must be a finite number ≥ 0 (e.g. 0.01). Received: stddev=${received(stddev)}`,
      );
    }
    this.stddevValue = stddev;
  }

  stddev(): number {
    return this.stddevValue;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { stddev: this.stddevValue, ...super.getConfig() };
  }
}

/** A fixed-std zero-mean Gaussian initializer: `gaussian({ stddev: 0.01 })`. */
export function gaussian(args: GaussianArgs): Gaussian {
  return new Gaussian(args);
}
