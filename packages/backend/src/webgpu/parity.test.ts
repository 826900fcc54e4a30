import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../index';
import { webGpuTests } from '../testing/webGpuTests';
import { gradients, grid, gridData } from '../wasm/convGrid';

describe.runIf(webGpuTests)('webgpu matches cpu', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
    await tf.setBackend('cpu');
  });

  test.each(grid)('conv2d forward, dx and dW: $label', async (c) => {
    const { x, w, dy } = gridData(c);
    const gpu = await onBackend('webgpu', () => gradients(c, x, w, dy));
    const cpu = await onBackend('cpu', () => gradients(c, x, w, dy));
    expect(gpu.shape).toEqual(cpu.shape);
    expect(maxRelativeError(gpu.y, cpu.y)).toBeLessThan(1e-4);
    expect(maxRelativeError(gpu.dx, cpu.dx)).toBeLessThan(1e-4);
    expect(maxRelativeError(gpu.dw, cpu.dw)).toBeLessThan(1e-4);
  });
});
