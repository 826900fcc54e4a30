import { onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { SppGrad, SppMaxPool } from '../kernelNames';
import { sppCases } from '../testing/sppCases';
import { sppDefinition } from '../testing/sppReference';
import { registerWasmTrainingKernels } from './register';

beforeAll(() => {
  registerWasmTrainingKernels();
});

const close = (actual: Float32Array, expected: Float64Array) =>
  Array.from(actual).every((v, i) => {
    const e = expected[i];
    return Number.isNaN(e) ? Number.isNaN(v) : Math.abs(v - e) <= 1e-6 * Math.max(1, Math.abs(e));
  });

describe('wasm SPP kernels (one scan of the map each way)', () => {
  test.each(sppCases)('$label: y and dx as defined', async (c) => {
    const [y, dx] = await onBackend('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor(c.x, c.shape);
        const dy = tf.tensor(c.dy, [c.shape[0], c.dy.length / c.shape[0]]);
        const before = tf.memory().numTensors;
        const attrs = c.attrs as unknown as tf.NamedAttrMap;
        const out = [
          tf.engine().runKernel(SppMaxPool, { x }, attrs) as tf.Tensor,
          tf.engine().runKernel(SppGrad, { x, dy }, attrs) as tf.Tensor,
        ];
        expect(tf.memory().numTensors).toBe(before + 2);
        expect(out[0].shape).toEqual(dy.shape);
        expect(out[1].shape).toEqual(c.shape);
        return out.map((t) => t.dataSync() as Float32Array);
      }),
    );
    const ref = sppDefinition(c.x, c.dy, c.shape, c.attrs);
    expect(close(y, ref.y), 'y').toBe(true);
    expect(close(dx, ref.dx), 'dx').toBe(true);
  });
});
