import { defaultLayerName, received, tfjsLayerKeys } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { PRELU_SLOPE_WEIGHT_NAME } from './decayFree';
import { ActivationArgumentError, checkOptionKeys } from './errors';
import { preluOp } from './preluOp';

/** Arguments of the `PReLU` layer (Sec. 2.1). */
export interface PReLUArgs {
  /**
   * `false` (default): channel-wise, one slope per channel of the last axis (per feature map of
   * an NHWC map, per unit of a dense output). `true`: channel-shared, one slope for the layer.
   */
  shared?: boolean;
  /** Initial slope of every channel; 0.25 in the paper (Sec. 2.1). */
  init?: number;
  /** Layer name, as for any tfjs layer. */
  name?: string;
  /** Whether the slopes are trained (default true). */
  trainable?: boolean;
  /** Shape of the input without the batch axis, when this is the first layer of a model. */
  inputShape?: tf.Shape;
  /** Shape of the input with the batch axis, when this is the first layer of a model. */
  batchInputShape?: tf.Shape;
}

const defaultInit = 0.25; // Sec. 2.1: "we use a_i = 0.25 as the initialization"

/**
 * Parametric ReLU, f(y) = max(0, y) + a·min(0, y) (Eqn 1), with learned slopes `a`.
 *
 * The slope weight has shape `[channels]` (channel-wise) or `[]` (shared) and never pins other
 * axes, so a built layer runs on maps of any height and width (tfjs's built-in `PReLU` with
 * `sharedAxes` pins every axis). Its variable is named `…/prelu_alpha` — see `isDecayFree`.
 * Serialized as `RectifierPReLU`, which does not shadow tfjs's own `PReLU`.
 */
export class PReLU extends tf.layers.Layer {
  static className = 'RectifierPReLU';
  readonly shared: boolean;
  readonly init: number;
  private alpha: tf.LayerVariable | null = null;

  constructor(args: PReLUArgs = {}) {
    checkOptionKeys(args, ['shared', 'init', ...tfjsLayerKeys], 'prelu');
    super({ ...args, name: args.name ?? defaultLayerName('prelu') });
    const { shared = false, init = defaultInit } = args;
    if (typeof shared !== 'boolean') {
      throw new ActivationArgumentError(
        `Argument \`shared\` must be a boolean. Received: shared=${received(shared)}`,
      );
    }
    if (typeof init !== 'number' || !Number.isFinite(init)) {
      throw new ActivationArgumentError(
        `Argument \`init\` must be a finite number (the paper uses 0.25). Received: init=${received(init)}`,
      );
    }
    this.shared = shared;
    this.init = init;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (!this.shared && (shape.length < 2 || channels == null)) {
      throw new ActivationArgumentError(
        `A channel-wise PReLU needs inputs of rank ≥ 2 with a known last (channel) axis. ` +
          `Received: inputShape=[${shape.map(String)}]. Give the input a channel count or use shared: true.`,
      );
    }
    this.alpha = this.addWeight(
      PRELU_SLOPE_WEIGHT_NAME,
      this.shared ? [] : [channels as number],
      'float32',
      tf.initializers.constant({ value: this.init }),
      undefined,
      true,
    );
    this.built = true;
  }

  // tfjs builds a layer once; applying it again to a map with another channel count would
  // otherwise fail only when it runs, inside the op, without naming the layer.
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.checkChannels(shape);
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      this.checkChannels(x.shape);
      return preluOp(x, (this.alpha as tf.LayerVariable).read());
    });
  }

  private checkChannels(shape: tf.Shape): void {
    if (this.shared || this.alpha === null) return;
    const built = this.alpha.shape[0];
    const channels = shape[shape.length - 1];
    if (channels != null && channels !== built) {
      throw new ActivationArgumentError(
        `PReLU layer "${this.name}" was built for ${built} channels (one slope each) and cannot ` +
          `take an input with ${channels}. Received: inputShape=[${shape.map(String)}]. ` +
          'Use a new prelu() layer for each activation, or shared: true.',
      );
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { shared: this.shared, init: this.init, ...super.getConfig() };
  }
}

/**
 * A PReLU layer (Sec. 2.1): channel-wise by default, `shared: true` for one slope per layer;
 * slopes start at `init` = 0.25. Train the slopes without weight decay (`isDecayFree`).
 *
 * ```ts
 * const y = prelu().apply(tf.layers.conv2d({ filters: 64, kernelSize: 3 }).apply(x));
 * ```
 */
export function prelu(args: PReLUArgs = {}): PReLU {
  return new PReLU(args);
}
