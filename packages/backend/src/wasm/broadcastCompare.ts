import * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

/** The comparison kernels whose broadcasting path on wasm is a per-element index walk. */
export const comparisonKernels = [
  tf.Equal,
  tf.NotEqual,
  tf.Greater,
  tf.GreaterEqual,
  tf.Less,
  tf.LessEqual,
];

/**
 * Wraps a wasm comparison kernel. In tfjs 4.22 a comparison whose operands broadcast (other
 * than against a scalar) takes ~130 ns an element, against ~8 ns for equal shapes; the gradient
 * of `max` over axes (x == max(x), broadcast back) lands there. Materialising the broadcast with
 * XNNPACK's vectorised add (x + 0 of the output shape) and comparing equal shapes is ~10× faster.
 */
export function fastBroadcastCompare(original: KernelFn): KernelFn {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const sameShape = a.shape.join() === b.shape.join();
    const scalar = size(a) === 1 || size(b) === 1;
    if (sameShape || scalar || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original({ inputs, backend, attrs });
    }
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const calls = new WasmCalls(backend);
    const zeros = calls.run(tf.Fill, {}, { shape, value: 0, dtype: 'float32' });
    const widen = (x: tf.TensorInfo) =>
      x.shape.join() === shape.join() ? x : calls.run(tf.Add, { a: x, b: zeros });
    return calls.finish(calls.runWith(original, { a: widen(a), b: widen(b) }));
  };
}

function size(x: tf.TensorInfo): number {
  return x.shape.reduce((p, d) => p * d, 1);
}
