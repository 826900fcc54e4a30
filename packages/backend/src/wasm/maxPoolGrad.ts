import * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * Replaces the wasm backend's `MaxPoolGrad`, which is wrong in tfjs 4.22: its window search
 * starts from `numeric_limits<float>::min()` (the smallest positive float, not the lowest), so a
 * window whose values are all ≤ 0 — common after PReLU — routes its gradient to the wrong place.
 * `MaxPoolWithArgmax` shares the flaw, so it is run on x − min(x) + 1, which keeps the order of
 * the values and makes them all positive; dy is then scattered (summed, for overlapping windows)
 * onto the arg-max positions. Ties go to the last maximum where the cpu backend takes the first;
 * values closer than one float step of (x − min(x)) count as ties.
 */
export const maxPoolGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const calls = new WasmCalls(backend);
  const size = input.shape.reduce((p, d) => p * d, 1);
  const axes = input.shape.map((_, i) => i);
  const low = calls.run(tf.Min, { x: input }, { axis: axes, keepDims: false });
  const one = calls.constant(1);
  const shifted = calls.run(tf.Add, {
    a: calls.run(tf.Sub, { a: input, b: low }),
    b: one,
  });
  const [, argmax] = calls.runMany(
    tf.MaxPoolWithArgmax,
    { x: shifted },
    { filterSize, strides, pad, includeBatchInIndex: true },
  );
  if (argmax.shape.join() !== dy.shape.join()) {
    calls.finish(argmax);
    backend.disposeData(argmax.dataId);
    throw new Error(
      `MaxPoolGrad on wasm: pooling ${input.shape} gives ${argmax.shape} but dy is ${dy.shape} ` +
        `(dimRoundingMode="${dimRoundingMode}" is not supported here); use 'same'/'valid' padding.`,
    );
  }
  const scattered = calls.run(
    tf.ScatterNd,
    { indices: calls.reshape(argmax, [-1, 1]), updates: calls.reshape(dy, [-1]) },
    { shape: [size] },
  );
  return calls.finish(calls.reshape(scattered, input.shape));
};
