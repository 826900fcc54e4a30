import { normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { registerWasmTrainingKernels } from './register';

const ops = {
  equal: tf.equal,
  notEqual: tf.notEqual,
  greater: tf.greater,
  greaterEqual: tf.greaterEqual,
  less: tf.less,
  lessEqual: tf.lessEqual,
};
const shapes: [number[], number[]][] = [
  [
    [4, 3, 3, 5],
    [4, 1, 1, 5],
  ],
  [[2, 7], [7]],
  [
    [3, 1],
    [1, 4],
  ],
  [[6], []],
];

describe('wasm comparisons with broadcasting', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  for (const [name, op] of Object.entries(ops))
    test.each(shapes)(`${name} %j vs %j matches cpu`, async (sa, sb) => {
      // Rounded values make ties, so equality is exercised too.
      const va = normalArray(
        sa.reduce((p, d) => p * d, 1),
        1,
      ).map(Math.round);
      const vb = normalArray(
        sb.reduce((p, d) => p * d, 1),
        2,
      ).map(Math.round);
      const run = () =>
        tf.tidy(() => Array.from(op(tf.tensor(va, sa), tf.tensor(vb, sb)).dataSync()));
      const wasm = await onBackend('wasm', run);
      const cpu = await onBackend('cpu', run);
      expect(wasm).toEqual(cpu);
    });

  test('max over axes still gets its gradient right', async () => {
    const x = normalArray(2 * 4 * 4 * 3, 5);
    const run = () =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((t: tf.Tensor) => t.max([1, 2]).sum())(tf.tensor(x, [2, 4, 4, 3]))
            .dataSync(),
        ),
      );
    expect(await onBackend('wasm', run)).toEqual(await onBackend('cpu', run));
  });
});
