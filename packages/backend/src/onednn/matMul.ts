import * as tf from '@tensorflow/tfjs';
import { WasmCalls } from '../wasm/kernelCalls';
import type { OneDnnAddon } from './addon';
import { callAddon, floats, type HeapBackend, type OneDnnKernel, size } from './heap';

/**
 * C = op(A)·op(B) (+ bias) (relu), batched, on oneDNN's matmul: A [..., m, k] (or [..., k, m]
 * transposed), B [..., k, n] (or [..., n, k]); the transposes are strides, nothing is copied.
 * Batches must be equal or one of them 1 (broadcast); other broadcasts go to wasm.
 */
function matMul(
  addon: OneDnnAddon,
  backend: HeapBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: tf.TensorInfo | undefined,
  relu: boolean,
): tf.TensorInfo | undefined {
  if (!floats(a, b, bias) || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [k2, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== k2) return undefined; // the op checks this before; let wasm report it
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  if (size(outer) !== Math.max(batchA, batchB)) return undefined;
  if (bias !== undefined && (size(bias.shape) !== n || bias.shape.at(-1) !== n)) return undefined;
  const [c] = callAddon(addon, backend, 'matmul', {
    inputs: { a, b, bias },
    outputs: { c: [...outer, m, n] },
    values: { batchA, batchB, m, k, n, transposeA, transposeB, withBias: bias !== undefined, relu },
  });
  return c;
}

export const batchMatMul: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  return matMul(addon, backend as HeapBackend, a, b, transposeA, transposeB, undefined, false);
};

/** tfjs's fused dense product: bias and relu fused, PReLU after it; other activations on wasm. */
export const fusedMatMul: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { a, b, bias, preluActivationWeights } = inputs as unknown as tf._FusedMatMulInputs;
  const { transposeA, transposeB, activation } = attrs as unknown as tf._FusedMatMulAttrs;
  if (!['linear', 'relu', 'prelu'].includes(activation)) return undefined;
  const c = matMul(
    addon,
    backend as HeapBackend,
    a,
    b,
    transposeA,
    transposeB,
    bias,
    activation === 'relu',
  );
  if (c === undefined || activation !== 'prelu') return c;
  const calls = new WasmCalls(backend);
  calls.adopt(c);
  return calls.finish(
    calls.run(tf.Prelu, { x: c, alpha: preluActivationWeights as tf.TensorInfo }),
  );
};
