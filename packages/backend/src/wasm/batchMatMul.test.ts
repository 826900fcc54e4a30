import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { registerWasmTrainingKernels } from './register';

const cases = [
  { a: [5, 7], b: [7, 3], ta: false, tb: false },
  { a: [7, 5], b: [7, 3], ta: true, tb: false },
  { a: [5, 7], b: [3, 7], ta: false, tb: true },
  { a: [7, 5], b: [3, 7], ta: true, tb: true },
  { a: [1, 7, 5], b: [1, 3, 7], ta: true, tb: true },
  { a: [1, 33, 64], b: [17, 64], ta: false, tb: true },
  { a: [2, 7, 5], b: [2, 7, 3], ta: true, tb: false },
];

function product(c: (typeof cases)[number]) {
  return tf.tidy(() => {
    const a = tf.tensor(
      normalArray(
        c.a.reduce((p, d) => p * d),
        4,
      ),
      c.a,
    );
    const b = tf.tensor(
      normalArray(
        c.b.reduce((p, d) => p * d),
        5,
      ),
      c.b,
    );
    const out = tf.matMul(a, b, c.ta, c.tb);
    return { shape: out.shape, values: out.dataSync() };
  });
}

describe('wasm BatchMatMul with transposed operands', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test.each(cases)('a $a (T: $ta) × b $b (T: $tb) matches cpu', async (c) => {
    const wasm = await onBackend('wasm', () => product(c));
    const cpu = await onBackend('cpu', () => product(c));
    expect(wasm.shape).toEqual(cpu.shape);
    expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
  });

  test('frees its intermediates', async () => {
    await onBackend('wasm', () => {
      product(cases[3]);
      const bytes = tf.memory().numBytes;
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) product(cases[3]);
      expect(tf.memory().numBytes).toBe(bytes);
      expect(tf.memory().numTensors).toBe(tensors);
    });
  });
});
