import { maxRelativeError, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { PreluGrad } from '../kernelNames';
import { preluInputs } from '../testing/normalData';
import { registerWasmTrainingKernels } from './register';

beforeAll(() => {
  registerWasmTrainingKernels();
});

/** dx and dα by Eqn 2–3 in float64 for slopes on the last axis (or one shared slope). */
function definition(x: Float32Array, a: Float32Array, dy: Float32Array, channels: number) {
  const slope = (i: number) => (a.length === 1 ? a[0] : a[i % channels]);
  const dx = dy.map((g, i) => (x[i] > 0 ? g : g * slope(i)));
  const da = new Float64Array(a.length);
  x.forEach((v, i) => {
    if (v <= 0) da[a.length === 1 ? 0 : i % channels] += dy[i] * v;
  });
  return [dx, da];
}

describe('wasm PReLU gradient kernel (one call for dx and dα)', () => {
  test.each([
    { x: [3, 7, 5, 6], alpha: [6] },
    { x: [3, 7, 5, 6], alpha: [] },
    { x: [9, 13], alpha: [1, 13] },
  ])('x $x, alpha $alpha: the definition', async (c) => {
    const { x: shifted, a, dy } = preluInputs(c, 61);
    const x = shifted.map((v, i) => (i % 11 === 0 ? 0 : v));
    const [dx, da] = await onBackend('wasm', () =>
      tf.tidy(() => {
        const before = tf.memory().numTensors;
        const out = tf.engine().runKernel(PreluGrad, {
          dy: tf.tensor(dy, c.x),
          x: tf.tensor(x, c.x),
          alpha: tf.tensor(a, c.alpha),
        }) as tf.Tensor[];
        // Three inputs and two outputs: no intermediate left behind.
        expect(tf.memory().numTensors).toBe(before + 5);
        expect(out[1].shape).toEqual(c.alpha);
        return out.map((t) => t.dataSync() as Float32Array);
      }),
    );
    const [rdx, rda] = definition(x, a, dy, c.x.at(-1) as number);
    expect(maxRelativeError(dx, rdx)).toBeLessThan(1e-6);
    expect(maxRelativeError(da, rda)).toBeLessThan(1e-5);
  });
});
