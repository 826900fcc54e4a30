import { received } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { ActivationArgumentError } from './errors';

/**
 * The whole gradient as one kernel, where a backend registers it: @rectifier/backend does on
 * wasm (its `Step` and `Multiply` in one call) and as one threaded pass under its oneDNN engine.
 * Inputs dy, x; attr alpha; output dx = dy·step(x, alpha).
 */
const reluGradKernel = 'RectifierReluGrad';

/** f(y) = max(0, y) + alpha·min(0, y) by tfjs's own kernels. */
const forward = (input: tf.Tensor, alpha: number) =>
  alpha === 0 ? tf.relu(input) : tf.leakyRelu(input, alpha);

/** The op with its one-kernel gradient for one slope (0: ReLU), built once per slope. */
function withGradFor(alpha: number): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([input]);
    return {
      value: forward(input, alpha),
      // tfjs's own gradients: dy·step(x) for ReLU; for leaky ReLU dy where x > 0, else dy·a —
      // the same values (the product by 1 is exact), except leaky ReLU's at a NaN input: NaN here.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [y] = saved;
        if (tf.getKernel(reluGradKernel, tf.getBackend()) !== undefined) {
          return tf.engine().runKernel(reluGradKernel, { dy, x: y }, { alpha }) as tf.Tensor;
        }
        return tf.mul(dy, tf.step(y, alpha));
      },
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}

const ops = new Map<number, (x: tf.Tensor) => tf.Tensor>();

function rectify<T extends tf.Tensor>(x: T, alpha: number): T {
  // Integer maps have no gradient to speed up: tfjs's own op and gradient.
  if (x.dtype !== 'float32') return forward(x, alpha) as T;
  let op = ops.get(alpha);
  if (op === undefined) {
    op = withGradFor(alpha);
    ops.set(alpha, op);
  }
  return op(x) as T;
}

/**
 * ReLU, f(y) = max(0, y), as an op whose gradient is one kernel (two passes over the map in
 * tfjs's own: a `Step`, then a `Multiply`). Same values and gradient as `tf.relu`.
 */
export function reluOp<T extends tf.Tensor>(x: T): T {
  return rectify(x, 0);
}

/**
 * Leaky ReLU with a fixed slope `alpha`, f(y) = max(0, y) + a·min(0, y), as an op whose
 * gradient is one kernel (tfjs's own: a comparison, a product and a select). Same values and
 * gradient as `tf.leakyRelu`.
 */
export function leakyReluOp<T extends tf.Tensor>(x: T, alpha: number): T {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new ActivationArgumentError(
      `Argument \`alpha\` must be a finite number (the fixed negative slope). Received: alpha=${received(alpha)}`,
    );
  }
  return rectify(x, alpha);
}
