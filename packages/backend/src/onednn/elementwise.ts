import * as tf from '@tensorflow/tfjs';
import type { ReluGradAttrs } from '../kernelNames';
import {
  callAddon,
  floats,
  type HeapBackend,
  minElementwise,
  type OneDnnKernel,
  size,
} from './heap';

/**
 * c = a ∘ b (add, subtract, multiply) with tfjs's broadcasting, on oneDNN's binary primitive,
 * when the output has a's shape (or b's, for add and multiply, which commute): the other
 * operand is broadcast along its size-1 (or missing leading) axes. Used for the bias adds and
 * the gradients' products over the big activation maps.
 */
function binary(algorithm: 0 | 1 | 2): OneDnnKernel {
  return (addon, { inputs, backend }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!floats(a, b)) return undefined;
    const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (size(out) < minElementwise || out.length > 6) return undefined;
    const same = (s: readonly number[]) =>
      s.length === out.length && s.every((d, i) => d === out[i]);
    let [full, other] = [a, b];
    if (!same(a.shape)) {
      if (algorithm === 1 || !same(b.shape)) return undefined;
      [full, other] = [b, a];
    }
    const padded = [...new Array(out.length - other.shape.length).fill(1), ...other.shape];
    const [c] = callAddon(addon, backend as HeapBackend, 'binary', {
      inputs: { a: full, b: other },
      outputs: { c: out },
      values: { algorithm, rank: out.length },
      rest: [...out, ...padded],
    });
    return c;
  };
}

export const add = binary(0);
export const sub = binary(1);
export const multiply = binary(2);

/** One output shaped like x from a unary addon kernel, for maps of ≥ 64 K elements. */
function unary(kernel: 'relu' | 'step', x: tf.TensorInfo, alpha: number) {
  return (addon: Parameters<OneDnnKernel>[0], backend: HeapBackend) => {
    if (!floats(x) || size(x.shape) < minElementwise) return undefined;
    const [y] = callAddon(addon, backend, kernel, {
      inputs: { x },
      outputs: { y: x.shape },
      values: { alpha, size: size(x.shape) },
    });
    return y;
  };
}

/** y = max(x, 0) on oneDNN's eltwise primitive (threaded, AVX-512). */
export const relu: OneDnnKernel = (addon, { inputs, backend }) =>
  unary('relu', (inputs as { x: tf.TensorInfo }).x, 0)(addon, backend as HeapBackend);

/** y = x > 0 ? x : alpha·x, the same primitive with the slope. */
export const leakyRelu: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
  return unary('relu', (inputs as { x: tf.TensorInfo }).x, alpha)(addon, backend as HeapBackend);
};

/**
 * y = x > 0 ? 1 : alpha (NaN stays NaN): the mask of the relu gradient (tfjs's fused conv and
 * dense gradients compute dy·step(y)), one threaded native pass over the big activation maps.
 */
export const step: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { alpha } = attrs as unknown as tf.StepAttrs;
  return unary('step', (inputs as { x: tf.TensorInfo }).x, alpha)(addon, backend as HeapBackend);
};

/** dx = dy·step(x, alpha) in one threaded pass (kernelNames' `ReluGrad`). */
export const reluGrad: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const { alpha } = attrs as unknown as ReluGradAttrs;
  if (!floats(dy, x) || size(x.shape) < minElementwise || !tf.util.arraysEqual(dy.shape, x.shape)) {
    return undefined;
  }
  const [dx] = callAddon(addon, backend as HeapBackend, 'reluGrad', {
    inputs: { dy, x },
    outputs: { dx: x.shape },
    values: { alpha, size: size(x.shape) },
  });
  return dx;
};
