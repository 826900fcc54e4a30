import { selectBackend } from '@rectifier/backend';
import { expectAllClose, expectNoLeak, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import fixture from './fixtures/prelu.json';
import { ActivationArgumentError, preluOp } from './index';

interface Case {
  name: string;
  shape: number[];
  shared: boolean;
  x: number[];
  alpha: number[];
  dy: number[];
  y: number[];
  dx: number[];
  dalpha: number[];
}

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

/** Forward, input gradient and slope gradient of E = Σ f(x)·dy, as PyTorch computes them. */
function run(c: Case) {
  return tf.tidy(() => {
    const x = tf.tensor(c.x, c.shape);
    const alpha = c.shared ? tf.scalar(c.alpha[0]) : tf.tensor1d(c.alpha);
    const dy = tf.tensor(c.dy, c.shape);
    const { value, grads } = tf.valueAndGrads((xx: tf.Tensor, aa: tf.Tensor) =>
      tf.sum(tf.mul(preluOp(xx, aa), dy)),
    )([x, alpha]);
    value.dispose();
    return {
      y: preluOp(x, alpha).dataSync(),
      dx: grads[0].dataSync(),
      dalpha: grads[1].dataSync(),
      dalphaShape: grads[1].shape,
    };
  });
}

describe.each(['wasm', 'cpu'])('preluOp against PyTorch (%s)', (backend) => {
  test.each((fixture.cases as Case[]).map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await onBackend(backend, async () => {
      const r = await expectNoLeak(() => run(c));
      expectAllClose(r.y, c.y, { rtol: 1e-5, atol: 1e-6 });
      expectAllClose(r.dx, c.dx, { rtol: 1e-5, atol: 1e-6 });
      // The slope gradient is a sum of up to 120 terms: float32 accumulation.
      expectAllClose(r.dalpha, c.dalpha, { rtol: 1e-5, atol: 1e-5 });
      expect(r.dalphaShape).toEqual(c.shared ? [] : [c.shape[c.shape.length - 1]]);
    });
  });
});

describe('preluOp', () => {
  test('gradient at exact zeros uses the slope (as PyTorch) and contributes 0 to ∂E/∂a', () => {
    const [dx, da] = tf.tidy(() =>
      tf
        .grads((x: tf.Tensor, a: tf.Tensor) => preluOp(x, a).sum())([
          tf.tensor1d([0, 0, 2]),
          tf.scalar(0.25),
        ])
        .map((t) => t.dataSync()),
    );
    expectAllClose(dx, [0.25, 0.25, 1]);
    expectAllClose(da, [0]);
  });

  test('rejects a slope that does not broadcast to the channel axis', () => {
    expect(() => preluOp(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(ActivationArgumentError);
    expect(() => preluOp(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/alpha.shape=\[4\]/);
  });
});
