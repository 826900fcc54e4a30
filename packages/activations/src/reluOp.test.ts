import { selectBackend } from '@rectifier/backend';
import { expectNoLeak, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ActivationArgumentError, leakyReluOp, reluOp } from './index';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

// Maps above and below the engine's 64 K threshold and an odd dense shape, with exact zeros of
// both signs: the op's gradient must give tfjs's own (dy·step(x) for ReLU, the select of
// tf.leakyRelu's) bit for bit, on every backend and through the one-kernel path.
const shapes = [
  [4, 17, 17, 64],
  [3, 13, 11, 7],
  [70, 1001],
];

function inputs(shape: number[], seed: number) {
  const n = shape.reduce((p, d) => p * d, 1);
  const x = normalArray(n, seed);
  x[0] = 0;
  x[1] = -0;
  return { x: tf.tensor(x, shape), dy: tf.tensor(normalArray(n, seed + 1), shape) };
}

/** f(x) and ∂(Σ f(x)·dy)/∂x, read back. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, shape: number[], seed: number) {
  return tf.tidy(() => {
    const { x, dy } = inputs(shape, seed);
    const dx = tf.grad((a: tf.Tensor) => f(a).mul(dy).sum())(x);
    return [f(x).dataSync(), dx.dataSync()] as Float32Array[];
  });
}

const variants = [
  { name: 'reluOp', ours: (x: tf.Tensor) => reluOp(x), theirs: (x: tf.Tensor) => tf.relu(x) },
  {
    name: 'leakyReluOp 0.25',
    ours: (x: tf.Tensor) => leakyReluOp(x, 0.25),
    theirs: (x: tf.Tensor) => tf.leakyRelu(x, 0.25),
  },
  {
    name: 'leakyReluOp −0.3',
    ours: (x: tf.Tensor) => leakyReluOp(x, -0.3),
    theirs: (x: tf.Tensor) => tf.leakyRelu(x, -0.3),
  },
];

describe.each(['wasm', 'cpu'])('%s', (backend) => {
  test.each(variants.flatMap((v) => shapes.map((s) => [v.name, s, v] as const)))(
    '%s on %j: tfjs op values and gradient, bit for bit',
    async (_, shape, v) => {
      await onBackend(backend, async () => {
        const [y, dx] = await expectNoLeak(() => valueAndGrad(v.ours, shape, 3));
        const [y0, dx0] = valueAndGrad(v.theirs, shape, 3);
        expect(y).toEqual(y0);
        expect(dx).toEqual(dx0);
      });
    },
  );
});

describe('reluOp and leakyReluOp', () => {
  test('the gradient at 0 is 0 for ReLU and the slope for leaky ReLU (as PyTorch)', () => {
    const at0 = (f: (x: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((x: tf.Tensor) => f(x).sum())(tf.tensor([0, -0]))
            .dataSync(),
        ),
      );
    expect(at0(reluOp)).toEqual([0, 0]);
    expect(at0((x) => leakyReluOp(x, 0.25))).toEqual([0.25, 0.25]);
  });

  test('a non-finite slope is refused by name', () => {
    expect(() => leakyReluOp(tf.zeros([2]), Number.NaN)).toThrow(ActivationArgumentError);
    expect(() => leakyReluOp(tf.zeros([2]), Number.NaN)).toThrow(/alpha/);
  });

  test('int32 maps keep tfjs’s ops', () => {
    expect(Array.from(reluOp(tf.tensor([-2, 3], [2], 'int32')).dataSync())).toEqual([0, 3]);
  });
});
