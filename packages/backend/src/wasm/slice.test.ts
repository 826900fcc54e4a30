import { normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { normalData } from '../testing/normalData';
import { registerWasmTrainingKernels } from './register';

const cases: [number[], number[], number[]][] = [
  [[10], [3], [4]],
  [
    [32, 64],
    [0, 16],
    [32, 8],
  ],
  [
    [32, 64],
    [5, 0],
    [7, 64],
  ],
  [
    [4, 8, 8, 6],
    [1, 2, 3, 0],
    [2, 3, 4, 6],
  ],
  [
    [4, 8, 8, 6],
    [0, 2, 0, 0],
    [4, 3, 8, 6],
  ],
  [
    [4, 8, 8, 6],
    [1, 1, 1, 2],
    [3, 7, 7, 3],
  ],
  [
    [2, 3, 4, 5, 6],
    [1, 0, 2, 1, 3],
    [1, 3, 2, 4, 2],
  ],
  [
    [5, 5],
    [2, 2],
    [0, 3],
  ],
];

describe('wasm Slice', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test.each(cases)('shape %j begin %j size %j matches cpu', async (shape, begin, size) => {
    const values = normalData(shape, 3);
    const run = (dtype: 'float32' | 'int32') => () =>
      tf.tidy(() => {
        const x = tf.tensor(
          dtype === 'int32' ? values.map((v) => Math.round(v * 9)) : values,
          shape,
          dtype,
        );
        const y = tf.slice(x, begin, size);
        return { shape: y.shape, values: Array.from(y.dataSync()) };
      });
    for (const dtype of ['float32', 'int32'] as const) {
      expect(await onBackend('wasm', run(dtype))).toEqual(await onBackend('cpu', run(dtype)));
    }
  });

  test('split and the gradient of concat stay exact', async () => {
    const values = normalArray(6 * 20, 4);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(values, [6, 20]);
        const parts = tf.split(x, [3, 7, 10], 1);
        const g = tf.grad((t: tf.Tensor) =>
          tf
            .concat([t.slice([0, 0], [6, 5]), t], 1)
            .square()
            .sum(),
        )(x);
        return [...parts.map((p) => Array.from(p.dataSync())), Array.from(g.dataSync())];
      });
    expect(await onBackend('wasm', run)).toEqual(await onBackend('cpu', run));
  });

  test('split cuts each piece with the registered Slice (no whole-input copy per piece)', async () => {
    await onBackend('wasm', () => {
      const slice = tf.getKernel('Slice', 'wasm') as tf.KernelConfig;
      const spy = vi.spyOn(slice, 'kernelFunc');
      try {
        const x = tf.tensor2d(normalArray(6 * 20, 5), [6, 20]);
        const parts = tf.split(x, [3, 7, 10], 1);
        expect(spy).toHaveBeenCalledTimes(3);
        expect(parts.map((p) => p.shape)).toEqual([
          [6, 3],
          [6, 7],
          [6, 10],
        ]);
        tf.dispose([x, ...parts]);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
