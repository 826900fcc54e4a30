import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { registerWasmTrainingKernels } from './register';

/** dx of max pooling from the definition: each window's dy goes to its first (or last) maximum. */
function reference(
  x: Float32Array,
  [n, h, w, c]: number[],
  k: number,
  s: number,
  [top, left]: [number, number],
  [oh, ow]: [number, number],
  dy: Float32Array,
  ties: 'first' | 'last' = 'first',
): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let u = 0; u < k; u++)
            for (let v = 0; v < k; v++) {
              const r = i * s + u - top;
              const q = j * s + v - left;
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              const idx = ((b * h + r) * w + q) * c + ch;
              if (x[idx] > best || (ties === 'last' && x[idx] === best)) {
                best = x[idx];
                at = idx;
              }
            }
          out[at] += dy[((b * oh + i) * ow + j) * c + ch];
        }
  return out;
}

const cases = [
  { shape: [2, 12, 10, 3], k: 2, s: 2, pad: 'valid' },
  { shape: [3, 13, 11, 4], k: 3, s: 3, pad: 'valid' },
  { shape: [2, 9, 9, 2], k: 3, s: 2, pad: 'valid' },
  { shape: [1, 10, 7, 3], k: 3, s: 2, pad: 'same' },
  { shape: [4, 7, 8, 2], k: 5, s: 1, pad: 'same' },
] as const;

describe('wasm MaxPoolGrad', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test.each(cases)('$shape k$k s$s $pad matches the definition and cpu', async (c) => {
    const shape = [...c.shape] as [number, number, number, number];
    // Mostly negative values: the case tfjs 4.22's own wasm kernel gets wrong.
    const x = normalArray(
      shape.reduce((p, d) => p * d),
      11,
    ).map((v) => v - 1.5);
    const info = tf.backend_util.computePool2DInfo(shape, c.k, c.s, 1, c.pad);
    const dy = normalArray(
      info.outShape.reduce((p, d) => p * d),
      12,
    );
    const run = () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, shape);
        const dyt = tf.tensor(dy, info.outShape);
        return tf
          .grad((a: tf.Tensor) =>
            tf
              .maxPool(a as tf.Tensor4D, c.k, c.s, c.pad)
              .mul(dyt)
              .sum(),
          )(xt)
          .dataSync();
      });
    const wasm = await onBackend('wasm', run);
    const cpu = await onBackend('cpu', run);
    const ref = reference(
      x,
      shape,
      c.k,
      c.s,
      [info.padInfo.top, info.padInfo.left],
      [info.outHeight, info.outWidth],
      dy,
    );
    expect(maxRelativeError(wasm, ref)).toBeLessThan(1e-6);
    expect(maxRelativeError(cpu, ref)).toBeLessThan(1e-6);
  });

  // After a ReLU whole windows are 0: the gradient must go to exactly one maximum per window.
  // Rectifier's kernel picks the last one (the cpu backend the first); both paths agree.
  test.each([
    { shape: [2, 12, 10, 3], k: 2, s: 2, path: 'tiled windows' },
    { shape: [2, 9, 9, 2], k: 3, s: 2, path: 'overlapping windows' },
  ])('ties ($path): each window sends its dy to its last maximum', async (c) => {
    const shape = c.shape as [number, number, number, number];
    const x = normalArray(
      shape.reduce((p, d) => p * d),
      13,
    ).map((v) => Math.max(0, v - 0.8)); // mostly zeros: many all-tied windows
    const info = tf.backend_util.computePool2DInfo(shape, c.k, c.s, 1, 'valid');
    const dy = normalArray(
      info.outShape.reduce((p, d) => p * d),
      14,
    );
    const wasm = await onBackend('wasm', () =>
      tf.tidy(() => {
        const dyt = tf.tensor(dy, info.outShape);
        return tf
          .grad((a: tf.Tensor) =>
            tf
              .maxPool(a as tf.Tensor4D, c.k, c.s, 'valid')
              .mul(dyt)
              .sum(),
          )(tf.tensor4d(x, shape))
          .dataSync();
      }),
    );
    const last = reference(x, shape, c.k, c.s, [0, 0], [info.outHeight, info.outWidth], dy, 'last');
    expect(maxRelativeError(wasm, last)).toBeLessThan(1e-6);
  });
});
