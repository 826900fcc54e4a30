import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { registerWasmTrainingKernels } from './index';

/** conv → maxPool → PReLU → conv → flatten → dense → dropout → dense → softmax. */
function smallConvNet(units: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 10, 3], filters: 6, kernelSize: 3, padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.25 }) }),
      tf.layers.conv2d({ filters: 8, kernelSize: 2, strides: 1, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5, seed: 7 }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

async function train(steps: number, units: number) {
  const model = smallConvNet(units);
  model.setWeights(
    model.getWeights().map((w, i) => tf.tensor(normalArray(w.size, 100 + i), w.shape).mul(0.3)),
  );
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(normalArray(4 * 12 * 10 * 3, 9), [4, 12, 10, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
  const before = tf.memory().numTensors;
  let loss = Number.NaN;
  for (let i = 0; i < steps; i++) loss = (await model.trainOnBatch(x, y)) as number;
  const leaked = tf.memory().numTensors - before;
  const params = model.getWeights().map((w) => w.dataSync());
  tf.dispose([x, y]);
  model.dispose();
  return { loss, params, leaked };
}

describe('SGD steps of a small convnet', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  // 2048 units: fc weights of 160×2048, large enough for the dense forward's fresh-weights
  // route (a new W every step); three steps so it is taken with weights that have changed.
  test.each([
    [1, 16],
    [3, 2048],
  ])(
    '%i step(s), fc %i: same loss and parameters on wasm and cpu, no tensor leak',
    async (steps, units) => {
      const wasm = await onBackend('wasm', () => train(steps, units));
      const cpu = await onBackend('cpu', () => train(steps, units));
      expect(Number.isFinite(wasm.loss)).toBe(true);
      expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-4);
      expect(wasm.params).toHaveLength(cpu.params.length);
      wasm.params.forEach((p, i) => {
        expect(maxRelativeError(p, cpu.params[i]), `parameter ${i}`).toBeLessThan(1e-4);
      });
      expect(wasm.leaked).toBe(0);
      expect(cpu.leaked).toBe(0);
    },
  );
});
