import * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * PReLU's gradient from wasm's own kernels, the same five elementwise ops and reduction as
 * @rectifier/activations' composite gradient (so both give the same bits), run at backend level
 * in one kernel call: with dy⁺ = dy·step(x),
 *   dx = dy⁺ + (dy − dy⁺)·a,   da = Σ_{positions sharing a} (dy − dy⁺)·x
 * (x = 0 goes with the negative side, as in PyTorch). The oneDNN engine replaces it with one
 * pass for big maps.
 */
export const preluGrad: KernelFn = ({ inputs, backend }) => {
  const { dy, x, alpha } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; alpha: tf.TensorInfo };
  const calls = new WasmCalls(backend);
  const dyPos = calls.run(tf.Multiply, { a: dy, b: calls.run(tf.Step, { x }, { alpha: 0 }) });
  const dyNeg = calls.run(tf.Sub, { a: dy, b: dyPos });
  const dx = calls.run(tf.Add, { a: dyPos, b: calls.run(tf.Multiply, { a: dyNeg, b: alpha }) });
  const product = calls.run(tf.Multiply, { a: dyNeg, b: x });
  const axes = reductionAxes(x.shape, alpha.shape);
  const summed = axes.length > 0 ? calls.run(tf.Sum, { x: product }, { axis: axes }) : product;
  const dalpha = calls.reshape(summed, [...alpha.shape]);
  // Several outputs: tfjs's engine takes an array from any kernel.
  return calls.finishAll([dx, dalpha]) as unknown as tf.TensorInfo;
};

/**
 * The axes of x's shape that alpha is broadcast over: every leading axis alpha lacks and
 * every axis where alpha has size 1 (as @rectifier/activations' `sumToShape`).
 */
export function reductionAxes(xShape: readonly number[], alphaShape: readonly number[]): number[] {
  const lead = xShape.length - alphaShape.length;
  const axes: number[] = [];
  for (let i = 0; i < xShape.length; i++) {
    if (i < lead || (alphaShape[i - lead] === 1 && xShape[i] !== 1)) axes.push(i);
  }
  return axes;
}
