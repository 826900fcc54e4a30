import { defaultLayerName, received, tfjsLayerKeys } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { ActivationArgumentError, checkOptionKeys } from './errors';
import { leakyReluOp } from './reluOp';

/** Arguments of the fixed-slope `LeakyReLU` layer. */
export interface LeakyReLUArgs {
  /** Negative slope; 0.01 as in the original LReLU (Maas et al.), 0.25 in the paper's Table 2. */
  alpha?: number;
  name?: string;
}

const defaultAlpha = 0.01; // original LReLU (Sec. 2.1: "a_i … fixed to a small value (0.01)")

/**
 * Leaky ReLU with a fixed slope: f(y) = max(0, y) + a·min(0, y), `a` not learned; its gradient
 * one kernel ({@link leakyReluOp}).
 * Serialized as `RectifierLeakyReLU` (tfjs's built-in is `LeakyReLU`).
 */
export class LeakyReLU extends tf.layers.Layer {
  static className = 'RectifierLeakyReLU';
  readonly alpha: number;

  constructor(args: LeakyReLUArgs = {}) {
    checkOptionKeys(args, ['alpha', ...tfjsLayerKeys], 'leakyReLU');
    super({ ...args, name: args.name ?? defaultLayerName('leaky_relu') });
    const { alpha = defaultAlpha } = args;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
      throw new ActivationArgumentError(
        `Argument \`alpha\` must be a finite number (0.01 by default, 0.25 in Table 2). Received: alpha=${received(alpha)}`,
      );
    }
    this.alpha = alpha;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => leakyReluOp(Array.isArray(inputs) ? inputs[0] : inputs, this.alpha));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}

/** A fixed-slope leaky ReLU layer (default slope 0.01; the paper's Table 2 uses 0.25). */
export function leakyReLU(args: LeakyReLUArgs = {}): LeakyReLU {
  return new LeakyReLU(args);
}
