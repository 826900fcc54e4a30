import type * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * Wraps the wasm backend's `BatchMatMul`, whose XNNPACK path only runs for an untransposed,
 * unbatched product; any transposed operand (both gradients of a dense layer) falls to a scalar
 * loop ~28× slower. A transpose on wasm costs a memory pass, so transposing first and calling
 * the fast path is the cheaper route. Batched products are passed through unchanged.
 */
export function fastBatchMatMul(original: KernelFn): KernelFn {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1) {
      return original({ inputs, backend, attrs });
    }
    const calls = new WasmCalls(backend);
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const a2 = transposeA ? calls.transpose(calls.reshape(a, [ar, ac]), [1, 0]) : a;
    const b2 = transposeB ? calls.transpose(calls.reshape(b, [br, bc]), [1, 0]) : b;
    const product = calls.runWith(
      original,
      { a: a2, b: b2 },
      { transposeA: false, transposeB: false },
    );
    const outer = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const rows = transposeA ? ac : ar;
    const cols = transposeB ? br : bc;
    return calls.finish(calls.reshape(product, [...outer, rows, cols]));
  };
}
