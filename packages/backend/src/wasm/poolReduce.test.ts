import { maxRelativeError, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { normalData } from '../testing/normalData';
import { registerWasmTrainingKernels } from './register';

const cases: [number[], number[], boolean][] = [
  [[4, 6, 5, 3], [1], true],
  [[4, 6, 5, 3], [2], false],
  [[4, 6, 5, 3], [1, 2], true],
  [[4, 6, 5, 3], [0, 1, 2], false],
  [[8, 53, 53, 4], [0, 1, 2], false],
  [[5, 7], [0], true],
  [[3, 4, 5], [0, 1], false],
  [[4, 6, 5, 3], [3], false],
  [[4, 6, 5, 3], [0, 2], true],
  [[4, 6, 5, 3], [-3], true],
];

describe('wasm Max and Sum over middle axes', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test.each(cases)('shape %j axes %j keepDims %s match cpu', async (shape, axes, keepDims) => {
    const values = normalData(shape, 8);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(values, shape);
        const max = x.max(axes, keepDims);
        const sum = x.sum(axes, keepDims);
        return { shapes: [max.shape, sum.shape], max: max.dataSync(), sum: sum.dataSync() };
      });
    const wasm = await onBackend('wasm', run);
    const cpu = await onBackend('cpu', run);
    expect(wasm.shapes).toEqual(cpu.shapes);
    expect(Array.from(wasm.max)).toEqual(Array.from(cpu.max));
    expect(maxRelativeError(wasm.sum, cpu.sum)).toBeLessThan(1e-5);
  });

  test('integer sums keep their dtype and value', async () => {
    const run = () =>
      tf.tidy(() =>
        Array.from(tf.tensor([1, 2, 3, 4, 5, 6], [3, 2, 1], 'int32').sum(0).dataSync()),
      );
    expect(await onBackend('wasm', run)).toEqual([9, 12]);
  });
});
