import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { oneDnnTests } from '../testing/oneDnnTests';
import { loadOneDnnAddon, type OneDnnAddon } from './addon';
import { registerOneDnnKernels, setOneDnnEnabled } from './register';

let addon: OneDnnAddon;

beforeAll(() => {
  if (!oneDnnTests) return;
  const loaded = loadOneDnnAddon();
  if (loaded instanceof Error) throw loaded;
  addon = loaded;
  registerOneDnnKernels(addon);
  addon.setThreads(1);
});

afterAll(() => setOneDnnEnabled(false));

/**
 * conv(bias) → PReLU → maxPool → conv /2 → PReLU → flatten → dense 1024 relu → dense 5 softmax:
 * every kernel the engine takes (fused conv, both conv gradients, pooling and its gradient,
 * fused and transposed products). The 256×1024 dense makes a leaked weight-sized buffer
 * (1 MB per step) visible in the RSS check.
 */
function preluNet(): tf.Sequential {
  const prelu = () =>
    tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.25 }) });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 14, 3], filters: 8, kernelSize: 3, padding: 'same' }),
      prelu(),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }),
      prelu(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1024, activation: 'relu' }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

function setUp() {
  const model = preluNet();
  model.setWeights(
    model.getWeights().map((w, i) => tf.tensor(normalArray(w.size, 200 + i), w.shape).mul(0.2)),
  );
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(normalArray(4 * 16 * 14 * 3, 30), [4, 16, 14, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
  return { model, x, y };
}

/** One SGD step of the small net on `backend`: its loss and the updated parameters. */
function stepOn(backend: string) {
  return onBackend(backend, async () => {
    const { model, x, y } = setUp();
    const loss = (await model.trainOnBatch(x, y)) as number;
    const params = model.getWeights().map((w) => w.dataSync());
    tf.dispose([x, y]);
    model.dispose();
    return { loss, params };
  });
}

async function oneStep(engine: boolean) {
  setOneDnnEnabled(engine);
  return stepOn('wasm');
}

describe.runIf(oneDnnTests)('SGD on wasm with the oneDNN kernels', () => {
  test('one step of a small PReLU convnet: same loss and parameters as wasm and cpu', async () => {
    const calls = addon.implementations().length;
    const engine = await oneStep(true);
    // The step built oneDNN primitives (it did not fall back to wasm).
    expect(addon.implementations().length).toBeGreaterThan(calls);
    const wasm = await oneStep(false);
    setOneDnnEnabled(false);
    const cpu = await stepOn('cpu');
    for (const other of [wasm, cpu]) {
      expect(Math.abs(engine.loss - other.loss) / Math.abs(other.loss)).toBeLessThan(1e-4);
      engine.params.forEach((p, i) => {
        expect(maxRelativeError(p, other.params[i]), `parameter ${i}`).toBeLessThan(1e-4);
      });
    }
  });

  test('100 steps: no tensor leak, no new primitives after the first, RSS flat', async () => {
    setOneDnnEnabled(true);
    await onBackend('wasm', async () => {
      const { model, x, y } = setUp();
      const step = async () => (await model.trainOnBatch(x, y)) as number;
      for (let i = 0; i < 10; i++) await step();
      const tensors = tf.memory().numTensors;
      const primitives = addon.implementations().length;
      const rss = process.memoryUsage().rss;
      for (let i = 0; i < 90; i++) await step();
      expect(tf.memory().numTensors).toBe(tensors);
      expect(addon.implementations().length).toBe(primitives);
      // A buffer the size of the dense weights (256×1024 floats, 1 MB) kept per step would add
      // 90 MB over 90 steps; allow 32 MB for the allocator and V8.
      expect(process.memoryUsage().rss - rss).toBeLessThan(32 * 2 ** 20);
      tf.dispose([x, y]);
      model.dispose();
    });
  });
});
