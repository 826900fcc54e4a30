import type * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * Wraps the wasm backend's `BatchMatMul`, whose XNNPACK path only runs for an untransposed,
 * unbatched product; any transposed operand (both gradients of a dense layer) falls to a scalar
 * loop ~28× slower. A transpose on wasm is one memory pass, so transposing first and calling the
 * fast path is far cheaper.
 *
 * The fast path packs its right operand into XNNPACK's layout on every call (weights change
 * every step), so which operand ends up on the right matters as much as the transposes. For
 * C = op(A)·op(B) there are two routes:
 *   1. L = op(A), R = op(B):            cost ≈ [tA]·|A| + [tB]·|B| + |B|
 *   2. Cᵀ = op(B)ᵀ·op(A)ᵀ, transposed:   cost ≈ [¬tB]·|B| + [¬tA]·|A| + |A| + |C|
 * For a dense layer's input gradient dy·Wᵀ, route 2 never touches the big W twice; for its
 * weight gradient xᵀ·dy, route 1 wins. Batched products are passed through unchanged.
 */
export function fastBatchMatMul(original: KernelFn): KernelFn {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA: tA, transposeB: tB } = attrs as unknown as tf.BatchMatMulAttrs;
    if ((!tA && !tB) || batchOf(a) !== 1 || batchOf(b) !== 1) {
      return original({ inputs, backend, attrs });
    }
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const rows = tA ? ac : ar;
    const cols = tB ? br : bc;
    const sizeA = ar * ac;
    const sizeB = br * bc;
    const route1 = (tA ? sizeA : 0) + (tB ? sizeB : 0) + sizeB;
    const route2 = (tB ? 0 : sizeB) + (tA ? 0 : sizeA) + sizeA + rows * cols;

    const calls = new WasmCalls(backend);
    const a2 = calls.reshape(a, [ar, ac]);
    const b2 = calls.reshape(b, [br, bc]);
    const plain = { transposeA: false, transposeB: false };
    let product: tf.TensorInfo;
    if (route1 <= route2) {
      const left = tA ? calls.transpose(a2, [1, 0]) : a2;
      const right = tB ? calls.transpose(b2, [1, 0]) : b2;
      product = calls.runWith(original, { a: left, b: right }, plain);
    } else {
      const left = tB ? b2 : calls.transpose(b2, [1, 0]);
      const right = tA ? a2 : calls.transpose(a2, [1, 0]);
      product = calls.transpose(calls.runWith(original, { a: left, b: right }, plain), [1, 0]);
    }
    const outer = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    return calls.finish(calls.reshape(product, [...outer, rows, cols]));
  };
}

function batchOf(x: tf.TensorInfo): number {
  return x.shape.slice(0, -2).reduce((p, d) => p * d, 1);
}
