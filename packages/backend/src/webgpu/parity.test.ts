import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectBackend } from '../index';
import { gradients, grid, gridData } from '../testing/convGrid';
import { webGpuTests } from '../testing/webGpuTests';

/** Runs `f` on webgpu and on cpu with the same inputs; reads every output asynchronously (webgpu
 * in Node has no synchronous read) and checks that `f` left no tensor behind on either. */
async function both(f: () => tf.Tensor[]) {
  const run = async () => {
    const before = tf.memory().numTensors;
    const outs = f();
    const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
    return data;
  };
  return { gpu: await onBackend('webgpu', run), cpu: await onBackend('cpu', run) };
}

function expectClose(gpu: Float32Array[], cpu: Float32Array[], tolerance = 1e-4) {
  expect(gpu).toHaveLength(cpu.length);
  gpu.forEach((g, i) => {
    expect(maxRelativeError(g, cpu[i]), `output ${i}`).toBeLessThan(tolerance);
  });
}

const tensor = (shape: number[], seed: number, f = (v: number) => v) =>
  tf.tensor(
    normalArray(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ).map(f),
    shape,
  );

describe.runIf(webGpuTests)('webgpu matches cpu', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
    await selectBackend({ prefer: 'cpu' });
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

  // tfjs has no gradient for dilated convolutions on any backend (conv2d's grad asserts
  // dilations 1), so dilation is checked forward only.
  test.each([
    [2, 'same'],
    [2, 'valid'],
    [3, 'same'],
  ] as const)('dilated conv2d forward, rate %i %s', async (rate, pad) => {
    const { gpu, cpu } = await both(() =>
      tf.tidy(() => [
        tf.conv2d(
          tensor([2, 11, 9, 3], 21) as tf.Tensor4D,
          tensor([3, 3, 3, 4], 22) as tf.Tensor4D,
          1,
          pad,
          'NHWC',
          rate,
        ),
      ]),
    );
    expectClose(gpu, cpu);
  });

  // Integer-valued inputs make many windows hold tied maxima: both backends must route each
  // window's gradient to the same single position (tfjs's rule: the first in row-major order).
  test.each([
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[2, 9, 7, 2], 3, 2, 'valid'],
    [[1, 7, 8, 3], 3, 2, 'same'],
    [[2, 6, 6, 2], 3, 1, 'same'],
  ] as const)('maxPool forward and gradient with ties, %j k%i s%i %s', async (shape, k, s, pad) => {
    const { gpu, cpu } = await both(() => {
      const x = tensor([...shape], 31, (v) => Math.round(v));
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, s, pad);
      const y = f(x);
      const dy = tensor(y.shape, 32);
      const dx = tf.grad((a: tf.Tensor) => f(a).mul(dy).sum())(x);
      tf.dispose([x, dy]);
      return [y, dx];
    });
    expectClose(gpu, cpu);
    expect(gpu[1].filter((v) => v !== 0).length).toBe(cpu[1].filter((v) => v !== 0).length);
  });

  test.each([
    [[4, 10], [10, 6], false, false],
    [[10, 4], [10, 6], true, false],
    [[4, 10], [6, 10], false, true],
    [[3, 5, 7], [3, 7, 2], false, false],
  ] as const)('matMul %j × %j (transpose %s, %s) forward and gradients', async (a, b, ta, tb) => {
    const { gpu, cpu } = await both(() => {
      const x = tensor([...a], 41);
      const w = tensor([...b], 42);
      const f = (p: tf.Tensor, q: tf.Tensor) =>
        (a.length === 2
          ? tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb)
          : tf.matMul(p as tf.Tensor3D, q as tf.Tensor3D, ta, tb)) as tf.Tensor;
      const y = f(x, w);
      const dy = tensor(y.shape, 43);
      const [dx, dw] = tf.grads((p: tf.Tensor, q: tf.Tensor) => f(p, q).mul(dy).sum())([x, w]);
      tf.dispose([x, w, dy]);
      return [y, dx, dw];
    });
    expectClose(gpu, cpu);
  });

  test('dense layer forward (fused bias + relu) and its gradients', async () => {
    const { gpu, cpu } = await both(() => {
      const x = tensor([5, 12], 51);
      const w = tensor([12, 7], 52);
      const bias = tensor([7], 53);
      const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
        tf.fused.matMul({ a: p as tf.Tensor2D, b: q as tf.Tensor2D, bias: r, activation: 'relu' });
      const [dx, dw, db] = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
        f(p, q, r).square().sum(),
      )([x, w, bias]);
      const y = f(x, w, bias);
      tf.dispose([x, w, bias]);
      return [y, dx, dw, db];
    });
    expectClose(gpu, cpu);
  });

  test.each([
    ['channel-wise', [4]],
    ['shared', [1]],
  ] as const)('the Prelu kernel %s: forward and gradients', async (_, alphaShape) => {
    const { gpu, cpu } = await both(() => {
      const x = tensor([2, 5, 6, 4], 61);
      const alpha = tensor([...alphaShape], 62, (v) => 0.25 + 0.1 * v);
      const [dx, da] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.prelu(p, q).square().sum())([
        x,
        alpha,
      ]);
      const y = tf.prelu(x, alpha);
      tf.dispose([x, alpha]);
      return [y, dx, da];
    });
    expectClose(gpu, cpu);
  });
});

/** conv → maxPool → PReLU → conv → flatten → dense → softmax, as the first check. */
function smallNet(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [10, 10, 3], filters: 6, kernelSize: 3, padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.prelu({ alphaInitializer: tf.initializers.constant({ value: 0.25 }) }),
      tf.layers.conv2d({ filters: 8, kernelSize: 2, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

async function train(steps: number) {
  const model = smallNet();
  model.setWeights(
    model.getWeights().map((w, i) => tf.tensor(normalArray(w.size, 100 + i), w.shape).mul(0.3)),
  );
  model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(normalArray(4 * 10 * 10 * 3, 9), [4, 10, 10, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
  // Counted after the first step, which creates the optimizer's momentum accumulators.
  const losses = [(await model.trainOnBatch(x, y)) as number];
  const before = tf.memory().numTensors;
  for (let i = 1; i < steps; i++) losses.push((await model.trainOnBatch(x, y)) as number);
  const leaked = tf.memory().numTensors - before;
  const params = await Promise.all(
    model.getWeights().map((w) => w.data() as Promise<Float32Array>),
  );
  tf.dispose([x, y]);
  model.dispose();
  return { losses, params, leaked };
}

describe.runIf(webGpuTests)('momentum SGD steps of a small convnet on webgpu', () => {
  test('same losses and parameters as cpu after 3 steps, no tensor leak', async () => {
    const gpu = await onBackend('webgpu', () => train(3));
    const cpu = await onBackend('cpu', () => train(3));
    expect(gpu.losses.every(Number.isFinite)).toBe(true);
    // The loss must move, or equal losses would prove nothing.
    expect(Math.abs(cpu.losses[2] - cpu.losses[0])).toBeGreaterThan(1e-3);
    gpu.losses.forEach((l, i) => {
      expect(Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i])).toBeLessThan(1e-4);
    });
    gpu.params.forEach((p, i) => {
      expect(maxRelativeError(p, cpu.params[i]), `parameter ${i}`).toBeLessThan(1e-4);
    });
    expect(gpu.leaked).toBe(0);
    expect(cpu.leaked).toBe(0);
  });
});
