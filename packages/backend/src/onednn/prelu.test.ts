import { maxRelativeError, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test, vi } from 'vitest';
import { PreluGrad } from '../kernelNames';
import { preluInputs } from '../testing/normalData';
import { oneDnnTests, useOneDnnAddon } from '../testing/oneDnnTests';
import { setOneDnnEnabled } from './register';

// PReLU (Eqn 1–3) on oneDNN: the forward `Prelu` kernel and the one-pass gradient kernel
// (dx and dα together) against the definition, the cpu backend's composite and wasm's kernels.
const oneDnn = useOneDnnAddon();

interface Case {
  label: string;
  x: number[];
  alpha: number[];
}

// Channel-wise and shared slopes; maps above and below the forward's 64 K threshold; odd
// sizes; a dense [batch, units] output; slopes given as [1, 1, C].
const cases: Case[] = [
  { label: 'channel-wise, map 4×17×17×64', x: [4, 17, 17, 64], alpha: [64] },
  { label: 'shared, map 4×17×17×64', x: [4, 17, 17, 64], alpha: [] },
  { label: 'channel-wise, odd map 3×13×11×7', x: [3, 13, 11, 7], alpha: [7] },
  { label: 'shared [1], odd map 3×13×11×7', x: [3, 13, 11, 7], alpha: [1] },
  { label: 'channel-wise [1, 1, 9], map 5×31×29×9', x: [5, 31, 29, 9], alpha: [1, 1, 9] },
  { label: 'channel-wise, dense 70×1001', x: [70, 1001], alpha: [1001] },
];

/** y, dx and dα by Eqn 1–3 in float64: y = x > 0 ? x : a·x; dα sums dy·x over x ≤ 0. */
function definition(c: Case, x: Float32Array, a: Float32Array, dy: Float32Array) {
  const channels = c.x.at(-1) as number;
  const slope = (i: number) => (a.length === 1 ? a[0] : a[i % channels]);
  const y = x.map((v, i) => (v > 0 ? v : slope(i) * v));
  const dx = dy.map((g, i) => (x[i] > 0 ? g : g * slope(i)));
  const da = new Float64Array(a.length);
  x.forEach((v, i) => {
    if (v <= 0) da[a.length === 1 ? 0 : i % channels] += dy[i] * v;
  });
  return { y, dx, da };
}

/** The forward op and the gradient kernel on the current backend, read back. */
function preluAndGrad(c: Case, x: Float32Array, a: Float32Array, dy: Float32Array) {
  return tf.tidy(() => {
    const xt = tf.tensor(x, c.x);
    const at = tf.tensor(a, c.alpha);
    const dyt = tf.tensor(dy, c.x);
    const y = tf.prelu(xt, at);
    const [dx, da] = tf.engine().runKernel(PreluGrad, { dy: dyt, x: xt, alpha: at }) as tf.Tensor[];
    expect(da.shape).toEqual(c.alpha);
    return [y, dx, da].map((t) => t.dataSync() as Float32Array);
  });
}

/** The composite gradient of @rectifier/activations' preluOp, as tfjs ops (for cpu). */
function compositeGrad(c: Case, x: Float32Array, a: Float32Array, dy: Float32Array) {
  return tf.tidy(() => {
    const xt = tf.tensor(x, c.x);
    const at = tf.tensor(a, c.alpha);
    const dyt = tf.tensor(dy, c.x);
    const dyPos = tf.mul(dyt, tf.step(xt, 0));
    const dyNeg = tf.sub(dyt, dyPos);
    const dx = tf.add(dyPos, tf.mul(dyNeg, at));
    const lead = c.x.length - c.alpha.length;
    const axes = c.x
      .map((_, i) => i)
      .filter((i) => i < lead || (c.alpha[i - lead] === 1 && c.x[i] !== 1));
    const da = tf.mul(dyNeg, xt).sum(axes).reshape(c.alpha);
    return [tf.prelu(xt, at), dx, da].map((t) => t.dataSync() as Float32Array);
  });
}

describe.runIf(oneDnnTests)('oneDNN PReLU: y, dx and dα in one pass', () => {
  test.each(cases)('$label: matches the definition, cpu and wasm', async (c) => {
    // Shifted so that about a third of the inputs are positive, with exact zeros mixed in.
    const { x: shifted, a, dy } = preluInputs(c, 31, -0.4);
    const x = shifted.map((v, i) => (i % 97 === 0 ? 0 : v));
    const forward = vi.spyOn(oneDnn(), 'prelu');
    const backward = vi.spyOn(oneDnn(), 'preluGrad');
    setOneDnnEnabled(true);
    const engine = await onBackend('wasm', () => preluAndGrad(c, x, a, dy));
    expect(backward).toHaveBeenCalledTimes(1);
    // The forward pass goes to oneDNN only for maps of 64 K elements and more.
    expect(forward).toHaveBeenCalledTimes(x.length >= 1 << 16 ? 1 : 0);
    setOneDnnEnabled(false);
    const wasm = await onBackend('wasm', () => preluAndGrad(c, x, a, dy));
    const cpu = await onBackend('cpu', () => compositeGrad(c, x, a, dy));
    const ref = definition(c, x, a, dy);
    const names = ['y', 'dx', 'dα'];
    [ref.y, ref.dx, ref.da].forEach((expected, i) => {
      expect(maxRelativeError(engine[i], expected), `${names[i]} vs definition`).toBeLessThan(1e-5);
      expect(maxRelativeError(engine[i], cpu[i]), `${names[i]} vs cpu`).toBeLessThan(1e-5);
      expect(maxRelativeError(engine[i], wasm[i]), `${names[i]} vs wasm`).toBeLessThan(1e-5);
    });
  });

  test('1 and 2 threads agree to rounding; a fixed count repeats bit for bit', async () => {
    const c = cases[0];
    const { x, a, dy } = preluInputs(c, 34);
    setOneDnnEnabled(true);
    const one = await onBackend('wasm', () => preluAndGrad(c, x, a, dy));
    oneDnn().setThreads(2);
    const two = await onBackend('wasm', () => preluAndGrad(c, x, a, dy));
    const again = await onBackend('wasm', () => preluAndGrad(c, x, a, dy));
    two.forEach((v, i) => {
      expect(maxRelativeError(v, one[i])).toBeLessThan(1e-5);
      expect(Array.from(again[i])).toEqual(Array.from(v));
    });
  });

  test('slopes shared over other axes stay on wasm, with the same values as cpu', async () => {
    const c: Case = { label: 'per row', x: [6, 5, 4], alpha: [5, 1] };
    const { x, a, dy } = preluInputs(c, 37);
    const backward = vi.spyOn(oneDnn(), 'preluGrad');
    setOneDnnEnabled(true);
    const engine = await onBackend('wasm', () => preluAndGrad(c, x, a, dy));
    expect(backward).not.toHaveBeenCalled();
    const cpu = await onBackend('cpu', () => compositeGrad(c, x, a, dy));
    // dx and dα only: tfjs-backend-wasm 4.22's own Prelu forward reads alpha as one slope per
    // last-axis channel and gets such slopes wrong (a wasm limitation, not this kernel's).
    for (const i of [1, 2]) {
      expect(maxRelativeError(engine[i], cpu[i]), `output ${i}`).toBeLessThan(1e-5);
    }
  });

  test('no tensor leaks over repeated gradients', async () => {
    const c = cases[2];
    const { x, a, dy } = preluInputs(c, 40);
    setOneDnnEnabled(true);
    await onBackend('wasm', () => {
      preluAndGrad(c, x, a, dy);
      const before = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      for (let i = 0; i < 20; i++) preluAndGrad(c, x, a, dy);
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.memory().numBytes).toBe(bytes);
    });
  });
});
