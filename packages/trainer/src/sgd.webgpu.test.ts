import { buildModel } from '@rectifier/architectures';
import { listWebGpuAdapters, selectBackend } from '@rectifier/backend';
import { maxRelativeError, onBackend, webGpuTests } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { sgd } from './sgd';
import { namedWeights } from './weights';

// Caffe-form SGD steps of a narrow model A (paper Table 3, with SPP) on @rectifier/backend's
// webgpu engine against tfjs's cpu backend, the gradients from tf.variableGrads (train() on
// webgpu, with stepGradients, is train.webgpu.test.ts).
const webGpu = webGpuTests('Caffe SGD webgpu tests', await listWebGpuAdapters());

async function train(steps: number) {
  // Model A at 1/32 width (3–12 channels), fc 16, 112 crops: seconds on SwiftShader.
  const built = buildModel('A', {
    widthMultiplier: 1 / 32,
    fcUnits: 16,
    numClasses: 4,
    seed: 1,
    softmax: false,
  });
  const weights = namedWeights(built.model);
  const opt = sgd({ learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  opt.bind(weights);
  const x = tf.randomNormal([2, 112, 112, 3], 0, 1, 'float32', 7);
  const y = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4);
  const losses: number[] = [];
  let before = 0;
  for (let i = 0; i < steps; i++) {
    // Counted after the first step, which creates the momentum buffers.
    if (i === 1) before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(
          y,
          built.model.apply(x, { training: false }) as tf.Tensor,
        ) as tf.Scalar,
      weights.map((w) => w.variable),
    );
    losses.push((await value.data())[0]);
    const named = Object.fromEntries(weights.map((w) => [w.name, grads[w.variable.name]]));
    opt.apply(named, 0.01);
    tf.dispose([value, ...Object.values(grads)]);
  }
  const leaked = tf.memory().numTensors - before;
  const params = await Promise.all(weights.map((w) => w.variable.data() as Promise<Float32Array>));
  tf.dispose([x, y]);
  built.model.dispose();
  return { losses, params, leaked };
}

describe.runIf(webGpu)('Caffe SGD on webgpu', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
    await selectBackend({ prefer: 'cpu' });
  });

  test('two steps of a narrow model A: same losses and weights as cpu, no tensor leak', async () => {
    const gpu = await onBackend('webgpu', () => train(2));
    const cpu = await onBackend('cpu', () => train(2));
    expect(gpu.losses.every(Number.isFinite)).toBe(true);
    gpu.losses.forEach((l, i) => {
      expect(Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i])).toBeLessThan(1e-4);
    });
    gpu.params.forEach((p, i) => {
      expect(maxRelativeError(p, cpu.params[i]), `weight ${i}`).toBeLessThan(1e-4);
    });
    expect(gpu.leaked).toBe(0);
    expect(cpu.leaked).toBe(0);
  });
});
