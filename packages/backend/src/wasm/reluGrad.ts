import * as tf from '@tensorflow/tfjs';
import type { ReluGradAttrs } from '../kernelNames';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * The ReLU / leaky ReLU gradient dx = dy·step(x, alpha) from wasm's own `Step` and `Multiply`:
 * tfjs's own ReLU gradient, as one kernel call. The oneDNN engine replaces it with one pass for
 * big maps.
 */
export const reluGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const { alpha } = attrs as unknown as ReluGradAttrs;
  const calls = new WasmCalls(backend);
  const dx = calls.run(tf.Multiply, { a: dy, b: calls.run(tf.Step, { x }, { alpha }) });
  return calls.finish(dx);
};
