import { normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { SgdUpdate } from '../kernelNames';
import { registerWasmTrainingKernels } from './register';

beforeAll(() => {
  registerWasmTrainingKernels();
});

describe('wasm momentum-SGD update kernel', () => {
  test.each([5e-4, 0])('λ %s: the bits of the composite on cpu', async (weightDecay) => {
    const n = 1001;
    const [w0, g, v0] = [71, 72, 73].map((seed) => Float32Array.from(normalArray(n, seed)));
    const attrs = { learningRate: 0.01, weightDecay, momentum: 0.9 };
    const fused = await onBackend('wasm', () =>
      tf.tidy(() => {
        const before = tf.memory().numTensors;
        const out = tf
          .engine()
          .runKernel(
            SgdUpdate,
            { w: tf.tensor(w0), g: tf.tensor(g), v: tf.tensor(v0) },
            attrs,
          ) as tf.Tensor[];
        expect(tf.memory().numTensors).toBe(before + 5);
        return out.map((t) => Array.from(t.dataSync()));
      }),
    );
    const composite = await onBackend('cpu', () =>
      tf.tidy(() => {
        const [w, gt, v] = [w0, g, v0].map((d) => tf.tensor(d));
        const decayed = weightDecay === 0 ? gt : gt.add(w.mul(weightDecay));
        const next = v.mul(tf.scalar(0.9)).sub(decayed.mul(0.01));
        return [w.add(next), next].map((t) => Array.from(t.dataSync()));
      }),
    );
    expect(fused).toEqual(composite);
  });
});
