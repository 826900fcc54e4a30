import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { registerWasmTrainingKernels } from './index';

/** conv → maxPool → PReLU → conv → flatten → dense → dropout → dense → softmax. */
function smallConvNet(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 10, 3], filters: 6, kernelSize: 3, padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.25 }) }),
      tf.layers.conv2d({ filters: 8, kernelSize: 2, strides: 1, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5, seed: 7 }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

async function oneStep() {
  const model = smallConvNet();
  model.setWeights(
    model.getWeights().map((w, i) => tf.tensor(normalArray(w.size, 100 + i), w.shape).mul(0.3)),
  );
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(normalArray(4 * 12 * 10 * 3, 9), [4, 12, 10, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
  const before = tf.memory().numTensors;
  const loss = (await model.trainOnBatch(x, y)) as number;
  const leaked = tf.memory().numTensors - before;
  const params = model.getWeights().map((w) => w.dataSync());
  tf.dispose([x, y]);
  model.dispose();
  return { loss, params, leaked };
}

describe('one SGD step of a small convnet', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test('gives the same loss and parameters on wasm and cpu, with no tensor leak', async () => {
    const wasm = await onBackend('wasm', oneStep);
    const cpu = await onBackend('cpu', oneStep);
    expect(Number.isFinite(wasm.loss)).toBe(true);
    expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-4);
    expect(wasm.params).toHaveLength(cpu.params.length);
    wasm.params.forEach((p, i) => {
      expect(maxRelativeError(p, cpu.params[i]), `parameter ${i}`).toBeLessThan(1e-4);
    });
    expect(wasm.leaked).toBe(0);
    expect(cpu.leaked).toBe(0);
  });
});
