import { defaultLayerName } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';

type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];
type Conv2DLayer = ReturnType<typeof tf.layers.conv2d>;

// tfjs-layers exports Conv2D's type but not the class itself; an instance leads to it. The
// explicit name keeps tfjs's automatic layer names (conv2d_Conv2D1, …) unchanged for users.
const Conv2D = Object.getPrototypeOf(
  tf.layers.conv2d({ name: 'rectifier_conv2d_class_probe', filters: 1, kernelSize: 1 }),
).constructor as new (
  args: Conv2DArgs,
) => Conv2DLayer;

/**
 * A `Conv2D` for the first convolution of a network, the one that reads the image. Same
 * arguments, weights and outputs as `tf.layers.conv2d`; the difference is in training.
 * tfjs-layers runs every linear conv through tfjs's fused conv op, whose gradient computes the
 * input gradient together with the weight gradient, needed or not. For the layer that reads the
 * image nobody needs it, and for a 7×7 stride-2 stem it costs as much as the weight gradient
 * (~8 % of a small-net step). This layer runs the plain `conv2d` + bias add, whose gradients
 * tfjs computes only for the inputs that lead back to a trained variable.
 *
 * Serialized as `RectifierInputConv2D` (not a tfjs built-in name); importing
 * `@rectifier/architectures` registers it for `tf.loadLayersModel`.
 */
export class InputConv2D extends Conv2D {
  static className = 'RectifierInputConv2D';

  constructor(args: Conv2DArgs) {
    super({ ...args, name: args.name ?? defaultLayerName('input_conv2d') });
  }

  // Layer.fromConfig, restated: the base class above is typed by its constructor only.
  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (this.dataFormat === 'channelsFirst' || x.rank !== 4) {
      return super.call(inputs, kwargs) as tf.Tensor;
    }
    return tf.tidy(() => {
      let y = tf.conv2d(
        x as tf.Tensor4D,
        this.kernel.read() as tf.Tensor4D,
        this.strides as [number, number],
        this.padding as 'same' | 'valid',
        'NHWC',
        this.dilationRate as [number, number],
      );
      if (this.useBias) y = tf.add(y, this.bias.read());
      return this.activation.apply(y);
    });
  }
}

/** `tf.layers.conv2d` for the image-reading first layer; see {@link InputConv2D}. */
export function inputConv2d(args: Conv2DArgs): InputConv2D {
  return new InputConv2D(args);
}
