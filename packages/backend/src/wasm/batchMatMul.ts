import * as tf from '@tensorflow/tfjs';
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
 *
 * The untransposed product (a dense layer's forward pass, x·W) is the fast path itself, but
 * XNNPACK packs W there with its transpose-weights flag, a strided pass that costs 5–12 ns per
 * weight (74 ms for a 6400×1024 fc1, 4× the product), and tfjs keeps the packed operator only
 * as long as that W tensor lives. In training W is a new tensor every step, so the forward pass
 * packs it every time; route 2 (one plain transpose of W, the small x packed instead) then costs
 * about half. In evaluation W stays the same tensor across batches and the packed operator is
 * reused, so route 2 is taken only the first time a given W is seen.
 */
export function fastBatchMatMul(original: KernelFn): KernelFn {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA: tA, transposeB: tB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (batchOf(a) !== 1 || batchOf(b) !== 1 || (!tA && !tB && !freshWeights(a, b))) {
      return original({ inputs, backend, attrs });
    }
    if (!tA && !tB) seen.add(b.dataId);
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
    if ((tA || tB) && route1 <= route2) {
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

/** The same, for the fused product + bias (+ relu) a dense layer runs; other cases pass through. */
export function fastFusedMatMul(original: KernelFn): KernelFn {
  return ({ inputs, backend, attrs }) => {
    const { a, b, bias, preluActivationWeights } = inputs as unknown as tf._FusedMatMulInputs;
    const { transposeA, transposeB, activation } = attrs as unknown as tf._FusedMatMulAttrs;
    const simple =
      !transposeA &&
      !transposeB &&
      preluActivationWeights === undefined &&
      (activation === 'linear' || activation === 'relu') &&
      batchOf(a) === 1 && // tf.fused.matMul hands its operands over as [1, rows, cols]
      batchOf(b) === 1 &&
      (bias === undefined || bias.shape.length <= 1);
    if (!simple || !freshWeights(a, b)) return original({ inputs, backend, attrs });
    const calls = new WasmCalls(backend);
    // The registered BatchMatMul is fastBatchMatMul's: it takes route 2 and marks b as seen.
    const plain = { transposeA: false, transposeB: false };
    let out = calls.run(tf.BatchMatMul, { a, b }, plain);
    if (bias !== undefined) out = calls.run(tf.Add, { a: out, b: bias });
    if (activation === 'relu') out = calls.run(tf.Relu, { x: out });
    return calls.finish(out);
  };
}

// Right operands (by data) already multiplied once: the next product packs them, and tfjs keeps
// that packing for as long as the tensor lives (evaluation). See fastBatchMatMul.
const seen = new WeakSet<object>();
// Below this a packing pass costs less than the calls and transposes of route 2.
const minFreshWeights = 1 << 18;

/** A large right operand not multiplied before: route 2 is cheaper than packing it. */
function freshWeights(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  const sizeB = b.shape.reduce((p, d) => p * d, 1);
  const sizeA = a.shape.reduce((p, d) => p * d, 1);
  return sizeB >= minFreshWeights && sizeB >= 4 * sizeA && !seen.has(b.dataId);
}

function batchOf(x: tf.TensorInfo): number {
  return x.shape.slice(0, -2).reduce((p, d) => p * d, 1);
}
