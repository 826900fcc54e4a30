import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { recordForward } from './tape';

describe('recordForward', () => {
  const w = tf.variable(tf.tensor2d([0.5, -1, 2, 0.25, -0.75, 1.5], [3, 2]));
  const x = tf.tensor2d([1, 2, 3, -1, 0.5, 4], [2, 3]);
  const f = () => tf.relu(tf.matMul(x, w)).square() as tf.Tensor;
  const dy = tf.tensor2d([1, -2, 0.5, 3], [2, 2]);

  it('gives the gradients of one gradients() call, with other gradient work in between, and leaks nothing', () => {
    const expected = tf.engine().gradients(f, [w], dy);
    const want = expected.grads[0].arraySync();
    tf.dispose([expected.value, ...expected.grads]);

    const before = tf.memory().numTensors;
    const rec = recordForward(f, [w]);
    expect(rec.output.shape).toEqual([2, 2]);
    // What rank 0 does between the halves: the head's own backward pass.
    const other = tf.engine().gradients(() => w.sum().mul(3) as tf.Tensor, [w]);
    tf.dispose([other.value, ...other.grads]);
    const [g] = rec.backward(dy);
    expect(g.arraySync()).toEqual(want);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => rec.backward(dy)).toThrow(/after backward/);
  });

  it('dispose() without a backward frees the recording', () => {
    const before = tf.memory().numTensors;
    const rec = recordForward(f, [w]);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    rec.dispose();
    rec.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses to start inside another gradient computation', () => {
    expect(() =>
      tf.engine().gradients(() => {
        recordForward(f, [w]);
        return w.sum() as tf.Tensor;
      }, [w]),
    ).toThrow(/inside another gradient computation/);
  });
});
