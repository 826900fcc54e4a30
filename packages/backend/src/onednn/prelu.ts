import type * as tf from '@tensorflow/tfjs';
import {
  callAddon,
  floats,
  type HeapBackend,
  minElementwise,
  type OneDnnKernel,
  size,
} from './heap';

/**
 * x seen as [rows, channels] (channels last) and whether alpha is one shared slope, or
 * `undefined` when alpha is neither a scalar nor one slope per channel of x's last axis (other
 * broadcasts stay on wasm).
 */
function preluShape(
  x: tf.TensorInfo,
  alpha: tf.TensorInfo,
): { rows: number; channels: number; sharedSlope: boolean } | undefined {
  const n = size(x.shape);
  const channels = x.shape.at(-1) ?? 1;
  const slopes = size(alpha.shape);
  const sharedSlope = slopes === 1;
  const perChannel =
    alpha.shape.at(-1) === channels && slopes === channels && alpha.shape.length <= x.shape.length;
  if (!sharedSlope && !perChannel) return undefined;
  return { rows: n / channels, channels, sharedSlope };
}

/**
 * y = x > 0 ? x : a·x (Eqn 1) on oneDNN's prelu primitive, for maps of ≥ 64 K elements
 * (threaded, AVX-512).
 */
export const prelu: OneDnnKernel = (addon, { inputs, backend }) => {
  const { x, alpha } = inputs as { x: tf.TensorInfo; alpha: tf.TensorInfo };
  if (!floats(x, alpha) || size(x.shape) < minElementwise) return undefined;
  const shape = preluShape(x, alpha);
  if (shape === undefined) return undefined;
  const [y] = callAddon(addon, backend as HeapBackend, 'prelu', {
    inputs: { x, alpha },
    outputs: { y: x.shape },
    values: shape,
  });
  return y;
};

/**
 * PReLU's gradient (Eqn 2–3) in one pass of oneDNN's prelu backward primitive, which reads x
 * and dy once and writes both
 *   dx = dy · (x > 0 ? 1 : a)   and   da = Σ_{positions sharing a} dy · (x > 0 ? 0 : x),
 * the slope's sum reduced per thread and then across threads. Any size: one call replaces the
 * composite gradient's six kernel calls even on small maps.
 */
export const preluGrad: OneDnnKernel = (addon, { inputs, backend }) => {
  const { dy, x, alpha } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; alpha: tf.TensorInfo };
  if (!floats(dy, x, alpha) || dy.shape.join() !== x.shape.join()) return undefined;
  const shape = preluShape(x, alpha);
  if (shape === undefined) return undefined;
  return callAddon(addon, backend as HeapBackend, 'preluGrad', {
    inputs: { dy, x, alpha },
    outputs: { dx: x.shape, dalpha: alpha.shape },
    values: shape,
  });
};
