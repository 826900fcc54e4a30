import { expectAllClose, expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { errorCounts, softmaxCrossEntropy } from './loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** log Σ exp(z) − z_y in double precision, with the max subtracted. */
function reference(z: number[], y: number): number {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y];
}

describe('softmaxCrossEntropy', () => {
  test('matches log-sum-exp − z_y, also for logits that would overflow exp', async () => {
    const rows = [
      [1, 2, 3],
      [1000, -1000, 0],
      [-50, -51, -49.5],
      [80, 90, 100],
    ];
    const labels = [2, 1, 0, 2];
    const expected = rows.reduce((s, z, i) => s + reference(z, labels[i]), 0) / rows.length;
    await expectNoLeak(() => {
      const z = tf.tensor2d(rows);
      const y = tf.tensor1d(labels, 'int32');
      const loss = softmaxCrossEntropy(z, y);
      const value = loss.dataSync()[0];
      // Row 2's term is 2000 (exactly representable); float32 rounding of the sum ~1e-4 absolute.
      expect(Number.isFinite(value)).toBe(true);
      expect(Math.abs(value - expected)).toBeLessThan(2e-4);
      tf.dispose([z, y, loss]);
    });
  });

  test('gradient is (softmax − onehot) / N; the normaliser divides the sum', () => {
    const z = tf.tensor2d([
      [0.5, -1, 2],
      [3, 0, 0],
    ]);
    const y = tf.tensor1d([0, 1], 'int32');
    const g = tf.grad((t: tf.Tensor) => softmaxCrossEntropy(t as tf.Tensor2D, y, 4))(z);
    const p = tf.softmax(z).arraySync() as number[][];
    const expected = p.flatMap((row, i) => row.map((v, c) => (v - (c === [0, 1][i] ? 1 : 0)) / 4));
    expectAllClose(g.dataSync(), expected, { rtol: 1e-6, atol: 1e-7 });
    tf.dispose([z, y, g]);
  });
});

describe('errorCounts', () => {
  test('counts top-1 and top-5 misses', async () => {
    // 6 classes: row 0 right; row 1 label ranked 2nd (top-1 miss, top-5 hit); row 2 ranked last.
    const z = tf.tensor2d([
      [9, 1, 2, 3, 4, 5],
      [1, 9, 8, 3, 4, 5],
      [0, 1, 2, 3, 4, 5],
    ]);
    const y = tf.tensor1d([0, 2, 0], 'int32');
    const before = tf.memory().numTensors;
    expect(await errorCounts(z, y)).toEqual({ top1: 2, top5: 1, count: 3 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, y]);
  });
});
