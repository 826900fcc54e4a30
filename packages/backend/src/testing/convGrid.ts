import { normalArray } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { type ConvCase, outputSize } from './reference';

/**
 * The convolution grid the training kernels are tested on (wasm's and oneDNN's): kernel
 * 1/2/3/7, stride 1/2/3 (and two unequal strides), same/valid/explicit padding, odd/even and
 * non-square maps, batch 1–4.
 */
export type Padding = 'same' | 'valid' | 'explicit';

/** tfjs's 'same' puts the odd pad row at the bottom/right, as TensorFlow does. */
export function padsOf(padding: Padding, size: [number, number], k: number, s: number) {
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

export interface GridCase extends ConvCase {
  label: string;
  pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
}

const sizes: [number, number][] = [
  [9, 7],
  [8, 12],
  [11, 10],
  [16, 13],
];
export const grid: GridCase[] = [
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

/** y, its shape, dx and dW of Σ conv(x, W)·dy on the active backend. */
export async function gradients(c: GridCase, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const [oh, ow] = outputSize(c);
  const [y, dx, dw] = tf.tidy(() => {
    const xt = tf.tensor4d(x, c.xShape);
    const wt = tf.tensor4d(w, c.filterShape);
    const dyt = tf.tensor4d(dy, [c.xShape[0], oh, ow, c.filterShape[3]]);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.strides, c.pad);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      f(a as tf.Tensor4D, b as tf.Tensor4D)
        .mul(dyt)
        .sum(),
    )([xt, wt]);
    return [f(xt, wt), dx, dw];
  });
  // Read asynchronously: webgpu in Node has no synchronous read (tfjs's needs OffscreenCanvas).
  const [yData, dxData, dwData] = await Promise.all([y.data(), dx.data(), dw.data()]);
  tf.dispose([y, dx, dw]);
  return {
    y: yData as Float32Array,
    dx: dxData as Float32Array,
    dw: dwData as Float32Array,
    shape: y.shape,
  };
}

/** Seeded x, W and dy for a grid case. */
export function gridData(c: GridCase) {
  const [oh, ow] = outputSize(c);
  return {
    x: normalArray(
      c.xShape.reduce((p, d) => p * d),
      1,
    ),
    w: normalArray(
      c.filterShape.reduce((p, d) => p * d),
      2,
    ),
    dy: normalArray(c.xShape[0] * oh * ow * c.filterShape[3], 3),
  };
}
