import { maxRelativeError, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { gradients, grid, gridData } from '../testing/convGrid';
import { filterGradient, inputGradient, outputSize } from '../testing/reference';
import { tapCounts } from '../testing/tapCounts';
import { registerWasmTrainingKernels } from './register';

describe('wasm convolution gradients match the definition and the cpu backend', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test.each(grid)('$label', async (c) => {
    const [oh, ow] = outputSize(c);
    const { x, w, dy } = gridData(c);
    const wasm = await onBackend('wasm', () => gradients(c, x, w, dy));
    const cpu = await onBackend('cpu', () => gradients(c, x, w, dy));
    expect(wasm.shape).toEqual([c.xShape[0], oh, ow, 4]);

    const dwRef = filterGradient(c, x, dy);
    const dxRef = inputGradient(c, w, dy);
    expect(maxRelativeError(wasm.dw, dwRef)).toBeLessThan(1e-4);
    expect(maxRelativeError(wasm.dx, dxRef)).toBeLessThan(1e-4);
    expect(maxRelativeError(wasm.dw, cpu.dw)).toBeLessThan(1e-4);
    expect(maxRelativeError(wasm.dx, cpu.dx)).toBeLessThan(1e-4);
  });

  test('closed form: with x = 1 and dy = 1, dW counts the in-bounds taps', async () => {
    // 'same', 5×5, k 3, s 1: a corner tap sees 4×4 positions, the centre tap 5×5.
    const dw = await onBackend('wasm', tapCounts);
    expect(Array.from(dw)).toEqual([16, 20, 16, 20, 25, 20, 16, 20, 16]);
  });

  test('the kernels leave no tensor and no wasm memory behind', async () => {
    await onBackend('wasm', async () => {
      const c = grid[7];
      const { x, w, dy } = gridData(c);
      await gradients(c, x, w, dy);
      const tensors = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      for (let i = 0; i < 5; i++) await gradients(c, x, w, dy);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.memory().numBytes).toBe(bytes);
    });
  });
});
