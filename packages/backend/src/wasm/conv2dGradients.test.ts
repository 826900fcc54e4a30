import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { type ConvCase, filterGradient, inputGradient, outputSize } from './reference';
import { registerWasmTrainingKernels } from './register';

type Padding = 'same' | 'valid' | 'explicit';

/** tfjs's 'same' puts the odd pad row at the bottom/right, as TensorFlow does. */
function padsOf(padding: Padding, size: [number, number], k: number, s: number) {
  if (padding === 'valid')
    return [
      [0, 0],
      [0, 0],
    ] as ConvCase['pads'];
  if (padding === 'explicit')
    return [
      [1, Math.min(2, k)],
      [Math.min(2, k), 0],
    ] as ConvCase['pads'];
  return size.map((d) => {
    const out = Math.ceil(d / s);
    const total = Math.max(0, (out - 1) * s + k - d);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }) as ConvCase['pads'];
}

interface GridCase extends ConvCase {
  label: string;
  pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
}

const sizes: [number, number][] = [
  [9, 7],
  [8, 12],
  [11, 10],
  [16, 13],
];
const grid: GridCase[] = [
  // Unequal strides take the zero-insertion route for dx.
  {
    label: 'k3 s2×1 same 2×9×8',
    xShape: [2, 9, 8, 3],
    filterShape: [3, 3, 3, 4],
    strides: [2, 1],
    pads: [
      [1, 1],
      [1, 1],
    ],
    pad: 'same',
  },
  {
    label: 'k7 s1×3 valid 1×11×16',
    xShape: [1, 11, 16, 3],
    filterShape: [7, 7, 3, 4],
    strides: [1, 3],
    pads: [
      [0, 0],
      [0, 0],
    ],
    pad: 'valid',
  },
];
for (const k of [1, 2, 3, 7])
  for (const s of [1, 2, 3])
    for (const padding of ['same', 'valid', 'explicit'] as Padding[]) {
      const i = grid.length - 2;
      const [h, w] = sizes[i % sizes.length];
      const batch = (i % 4) + 1;
      const pads = padsOf(padding, [h, w], k, s);
      grid.push({
        label: `k${k} s${s} ${padding} ${batch}×${h}×${w}`,
        xShape: [batch, h, w, 3],
        filterShape: [k, k, 3, 4],
        strides: [s, s],
        pads,
        pad: padding === 'explicit' ? [[0, 0], pads[0], pads[1], [0, 0]] : padding,
      });
    }

async function gradients(c: GridCase, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const [oh, ow] = outputSize(c);
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.xShape);
    const wt = tf.tensor4d(w, c.filterShape);
    const dyt = tf.tensor4d(dy, [c.xShape[0], oh, ow, c.filterShape[3]]);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.strides, c.pad);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      f(a as tf.Tensor4D, b as tf.Tensor4D)
        .mul(dyt)
        .sum(),
    )([xt, wt]);
    return { dx: dx.dataSync(), dw: dw.dataSync(), shape: f(xt, wt).shape };
  });
}

describe('wasm convolution gradients match the definition and the cpu backend', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test.each(grid)('$label', async (c) => {
    const [oh, ow] = outputSize(c);
    const x = normalArray(
      c.xShape.reduce((p, d) => p * d),
      1,
    );
    const w = normalArray(
      c.filterShape.reduce((p, d) => p * d),
      2,
    );
    const dy = normalArray(c.xShape[0] * oh * ow * c.filterShape[3], 3);
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
    const dw = await onBackend('wasm', () =>
      tf.tidy(() =>
        tf
          .grad((w: tf.Tensor) =>
            tf.conv2d(tf.ones([1, 5, 5, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').sum(),
          )(tf.ones([3, 3, 1, 1]))
          .dataSync(),
      ),
    );
    expect(Array.from(dw)).toEqual([16, 20, 16, 20, 25, 20, 16, 20, 16]);
  });

  test('the kernels leave no tensor and no wasm memory behind', async () => {
    await onBackend('wasm', async () => {
      const c = grid[7];
      const [oh, ow] = outputSize(c);
      const x = normalArray(
        c.xShape.reduce((p, d) => p * d),
        1,
      );
      const w = normalArray(
        c.filterShape.reduce((p, d) => p * d),
        2,
      );
      const dy = normalArray(c.xShape[0] * oh * ow * 4, 3);
      await gradients(c, x, w, dy);
      const tensors = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      for (let i = 0; i < 5; i++) await gradients(c, x, w, dy);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.memory().numBytes).toBe(bytes);
    });
  });
});
