import { defaultLayerName, tfjsLayerKeys } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys } from './errors';
import { reluOp } from './reluOp';

/** Arguments of the `ReLU` layer. */
export interface ReLUArgs {
  name?: string;
}

/**
 * f(y) = max(0, y), its gradient one kernel ({@link reluOp}). Serialized as `RectifierReLU` (tfjs's built-in is `ReLU`), so the three
 * activations of this package load back as themselves.
 */
export class ReLU extends tf.layers.Layer {
  static className = 'RectifierReLU';

  constructor(args: ReLUArgs = {}) {
    checkOptionKeys(args, tfjsLayerKeys, 'relu');
    super({ ...args, name: args.name ?? defaultLayerName('relu') });
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => reluOp(Array.isArray(inputs) ? inputs[0] : inputs));
  }
}

/** A ReLU layer. */
export function relu(args: ReLUArgs = {}): ReLU {
  return new ReLU(args);
}
