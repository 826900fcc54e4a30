import * as tf from '@tensorflow/tfjs';
import {
  floats,
  type HeapBackend,
  heapOf,
  minElementwise,
  type OneDnnKernel,
  offsetOf,
  runOrRelease,
  size,
} from './heap';
import { pack } from './layouts';

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
    const heapBackend = backend as HeapBackend;
    const padded = [...new Array(out.length - other.shape.length).fill(1), ...other.shape];
    const c = heapBackend.makeOutput([...out], 'float32');
    const params = pack(
      'binary',
      {
        a: offsetOf(heapBackend, full),
        b: offsetOf(heapBackend, other),
        c: offsetOf(heapBackend, c),
        algorithm,
        rank: out.length,
      },
      [...out, ...padded],
    );
    return runOrRelease(heapBackend, c, () => addon.binary(heapOf(heapBackend), params));
  };
}

export const add = binary(0);
export const sub = binary(1);
export const multiply = binary(2);

/** y = max(x, 0) on oneDNN's eltwise primitive (threaded, AVX-512). */
export const relu: OneDnnKernel = (addon, { inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  if (!floats(x) || size(x.shape) < minElementwise) return undefined;
  const heapBackend = backend as HeapBackend;
  const y = heapBackend.makeOutput([...x.shape], 'float32');
  const params = pack('relu', {
    x: offsetOf(heapBackend, x),
    y: offsetOf(heapBackend, y),
    size: size(x.shape),
  });
  return runOrRelease(heapBackend, y, () => addon.relu(heapOf(heapBackend), params));
};

/**
 * y = x > 0 ? 1 : alpha (NaN stays NaN): the mask of the relu gradient (tfjs's fused conv and
 * dense gradients compute dy·step(y)), one threaded native pass over the big activation maps.
 */
export const step: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const { alpha } = attrs as unknown as tf.StepAttrs;
  if (!floats(x) || size(x.shape) < minElementwise) return undefined;
  const heapBackend = backend as HeapBackend;
  const y = heapBackend.makeOutput([...x.shape], 'float32');
  const params = pack('step', {
    x: offsetOf(heapBackend, x),
    y: offsetOf(heapBackend, y),
    size: size(x.shape),
    alpha,
  });
  return runOrRelease(heapBackend, y, () => addon.step(heapOf(heapBackend), params));
};
