import * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

export interface SgdUpdateAttrs {
  /** ε·lr_mult. */
  learningRate: number;
  /** λ·decay_mult (0: no decay term). */
  weightDecay: number;
  /** μ. */
  momentum: number;
}

/**
 * Caffe's momentum SGD on one parameter from wasm's own kernels, the same float32 ops in the
 * same order as @rectifier/trainer's composite update (so both give the same bits), in one
 * kernel call: v' = μ·v − ε·(g + λ·w), w' = w + v'. Outputs [w', v']. The oneDNN engine
 * replaces it with one threaded pass.
 */
export const sgdUpdate: KernelFn = ({ inputs, backend, attrs }) => {
  const { w, g, v } = inputs as { w: tf.TensorInfo; g: tf.TensorInfo; v: tf.TensorInfo };
  const { learningRate, weightDecay, momentum } = attrs as unknown as SgdUpdateAttrs;
  const calls = new WasmCalls(backend);
  const decayed =
    weightDecay === 0
      ? g
      : calls.run(tf.Add, {
          a: g,
          b: calls.run(tf.Multiply, { a: w, b: calls.constant(weightDecay) }),
        });
  const next = calls.run(tf.Sub, {
    a: calls.run(tf.Multiply, { a: v, b: calls.constant(momentum) }),
    b: calls.run(tf.Multiply, { a: decayed, b: calls.constant(learningRate) }),
  });
  const wNext = calls.run(tf.Add, { a: w, b: next });
  return calls.finishAll([wNext, next]) as unknown as tf.TensorInfo;
};
