import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { BackendError, selectBackend } from '../index';

// Each vitest file runs in its own process, so this one can start wasm threaded.
describe('threaded wasm in Node', () => {
  test('selectBackend({ threads: 2 }) runs XNNPACK on two threads', async () => {
    const info = await selectBackend({ prefer: 'wasm', threads: 2 });
    expect(info).toMatchObject({ name: 'wasm', threads: 2 });
  });

  test('gives the same convolution gradients as the cpu backend', async () => {
    const x = normalArray(3 * 15 * 13 * 8, 1);
    const w = normalArray(3 * 3 * 8 * 16, 2);
    const run = () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, [3, 15, 13, 8]);
        const wt = tf.tensor4d(w, [3, 3, 8, 16]);
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')
            .square()
            .sum();
        return tf
          .grads(f)([xt, wt])
          .map((g) => g.dataSync());
      });
    const threaded = await onBackend('wasm', run);
    const cpu = await onBackend('cpu', run);
    expect(maxRelativeError(threaded[0], cpu[0])).toBeLessThan(1e-4);
    expect(maxRelativeError(threaded[1], cpu[1])).toBeLessThan(1e-4);
  });

  test('the thread count cannot change once wasm has started', async () => {
    await expect(selectBackend({ prefer: 'wasm', threads: 1 })).rejects.toBeInstanceOf(
      BackendError,
    );
    await expect(selectBackend({ prefer: 'wasm', threads: 1 })).rejects.toThrow(
      /choose `threads` in the first selectBackend\(\) call/,
    );
  });
});
