import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test, vi } from 'vitest';
import { ReluGrad } from '../kernelNames';
import { gradients, grid, gridData } from '../testing/convGrid';
import { oneDnnTests, useOneDnnAddon } from '../testing/oneDnnTests';
import { filterGradient, inputGradient } from '../testing/reference';
import type { OneDnnAddon } from './addon';
import { setOneDnnEnabled } from './register';

// These tests need the engine: Debian/Ubuntu `apt-get install libdnnl-dev` before
// `npm install` (CI does); fallback.test.ts covers a machine without it.
const oneDnn = useOneDnnAddon();

/** Runs `fn` on wasm with the oneDNN kernels on or off (off: Rectifier's wasm kernels). */
function onWasm<T>(engine: boolean, fn: () => T | Promise<T>): Promise<T> {
  setOneDnnEnabled(engine);
  return onBackend('wasm', fn);
}

const values = (shape: number[], seed: number, shift = 0) =>
  tf.tensor(
    normalArray(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ).map((v) => v + shift),
    shape,
  );

/** A fused op's bias (seed `seed`) and PReLU slopes around 0.5 (seed `seed + 1`), `n` each. */
const biasAndSlopes = (n: number, seed: number) => ({
  bias: values([n], seed),
  alpha: values([n], seed + 1, 0.5),
});

/** y(a, b) and the gradients of sum(y²) with respect to a and b, read back. */
function valueAndGradients(
  y: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
): Float32Array[] {
  const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => y(p, q).square().sum())([a, b]);
  return [y(a, b), da, db].map((t) => t.dataSync() as Float32Array);
}

/** oneDNN's result against the cpu backend's and the wasm kernels' (rel. err ≤ 1e-4). */
async function compare(
  fn: () => Float32Array[] | Float32Array,
  spied: (keyof OneDnnAddon)[],
  againstWasm = true,
) {
  const spies = spied.map((name) => vi.spyOn(oneDnn(), name as 'conv2d'));
  const list = (r: Float32Array[] | Float32Array) => (Array.isArray(r) ? r : [r]);
  const engine = list(await onWasm(true, () => tf.tidy(fn)));
  // Every kernel named ran on oneDNN, not on a fallback.
  for (const spy of spies) expect(spy).toHaveBeenCalled();
  const wasm = list(await onWasm(false, () => tf.tidy(fn)));
  const cpu = list(await onBackend('cpu', () => tf.tidy(fn)));
  engine.forEach((v, i) => {
    expect(maxRelativeError(v, cpu[i]), `output ${i} vs cpu`).toBeLessThan(1e-4);
    if (againstWasm) {
      expect(maxRelativeError(v, wasm[i]), `output ${i} vs wasm`).toBeLessThan(1e-4);
    }
  });
  return engine;
}

describe.runIf(oneDnnTests)('oneDNN convolutions over the wasm kernels\u2019 grid', () => {
  test.each(grid)('$label: y, dx, dW match the definition, cpu and wasm', async (c) => {
    const { x, w, dy } = gridData(c);
    const spies = (['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'] as const).map((name) =>
      vi.spyOn(oneDnn(), name),
    );
    const engine = await onWasm(true, () => gradients(c, x, w, dy));
    for (const spy of spies) expect(spy).toHaveBeenCalled();
    const wasm = await onWasm(false, () => gradients(c, x, w, dy));
    const cpu = await onBackend('cpu', () => gradients(c, x, w, dy));
    expect(engine.shape).toEqual(cpu.shape);
    for (const key of ['y', 'dx', 'dw'] as const) {
      expect(maxRelativeError(engine[key], cpu[key]), `${key} vs cpu`).toBeLessThan(1e-4);
      expect(maxRelativeError(engine[key], wasm[key]), `${key} vs wasm`).toBeLessThan(1e-4);
    }
    expect(maxRelativeError(engine.dw, filterGradient(c, x, dy))).toBeLessThan(1e-4);
    expect(maxRelativeError(engine.dx, inputGradient(c, w, dy))).toBeLessThan(1e-4);
  });

  test.each([
    { k: 3, d: 2, pad: 'same' as const },
    { k: 3, d: 3, pad: 'valid' as const },
    { k: 2, d: 2, pad: 'same' as const },
  ])('dilation $d, k$k, $pad', async ({ k, d, pad }) => {
    await compare(
      () =>
        tf
          .conv2d(
            values([2, 13, 11, 3], 4) as tf.Tensor4D,
            values([k, k, 3, 5], 5) as tf.Tensor4D,
            1,
            pad,
            'NHWC',
            d,
          )
          .dataSync() as Float32Array,
      ['conv2d'],
    );
  });

  test.each(['linear', 'relu', 'prelu', 'elu'] as const)(
    'fused conv2d with bias, %s (elu runs on wasm), and its gradients',
    async (activation) => {
      const f = () => {
        const x = values([2, 9, 8, 3], 6);
        const w = values([3, 3, 3, 4], 7);
        const { bias, alpha } = biasAndSlopes(4, 8);
        const y = (a: tf.Tensor, b: tf.Tensor) =>
          tf.fused.conv2d({
            x: a as tf.Tensor4D,
            filter: b as tf.Tensor4D,
            strides: 2,
            pad: 'same',
            bias,
            activation,
            preluActivationWeights: activation === 'prelu' ? alpha : undefined,
          });
        return valueAndGradients(y, x, w);
      };
      await compare(f, activation === 'elu' ? [] : ['conv2d']);
    },
  );
});

describe.runIf(oneDnnTests)('oneDNN matmul', () => {
  const cases = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [7, 3], ta: true, tb: false },
    { a: [5, 7], b: [3, 7], ta: false, tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [3, 6, 4], b: [3, 4, 5], ta: false, tb: false },
    { a: [2, 4, 6], b: [2, 5, 4], ta: true, tb: true },
    { a: [1, 33, 64], b: [17, 64], ta: false, tb: true },
    { a: [4, 6, 9], b: [1, 9, 2], ta: false, tb: false },
    { a: [2, 3, 6, 9], b: [9, 2], ta: false, tb: false },
  ];
  test.each(cases)('a $a (T: $ta) × b $b (T: $tb)', async (c) => {
    await compare(
      () => tf.matMul(values(c.a, 10), values(c.b, 11), c.ta, c.tb).dataSync() as Float32Array,
      ['matmul'],
    );
  });

  test.each([
    { ta: false, tb: false, activation: 'relu' as const },
    { ta: true, tb: false, activation: 'linear' as const },
    { ta: false, tb: true, activation: 'prelu' as const },
    { ta: true, tb: true, activation: 'relu' as const },
  ])('fused: bias, $activation, T: $ta/$tb, with gradients', async (c) => {
    const f = () => {
      const a = values(c.ta ? [12, 8] : [8, 12], 12);
      const b = values(c.tb ? [6, 12] : [12, 6], 13);
      const { bias, alpha } = biasAndSlopes(6, 14);
      const y = (p: tf.Tensor, q: tf.Tensor) =>
        tf.fused.matMul({
          a: p as tf.Tensor2D,
          b: q as tf.Tensor2D,
          transposeA: c.ta,
          transposeB: c.tb,
          bias,
          activation: c.activation,
          preluActivationWeights: c.activation === 'prelu' ? alpha : undefined,
        });
      return valueAndGradients(y, a, b);
    };
    // tfjs-backend-wasm 4.22's own _FusedMatMul (where Rectifier's wasm kernel sends transposed
    // operands) is off by 0.18–0.24 relative here in every transposed case; cpu is the reference.
    await compare(f, ['matmul'], !c.ta && !c.tb);
  });
});

describe.runIf(oneDnnTests)('oneDNN max pooling', () => {
  const cases = [
    { shape: [2, 12, 10, 3], k: 2, s: 2, pad: 'valid' as const },
    { shape: [3, 13, 11, 4], k: 3, s: 3, pad: 'valid' as const },
    { shape: [2, 9, 9, 2], k: 3, s: 2, pad: 'valid' as const },
    { shape: [1, 10, 7, 3], k: 3, s: 2, pad: 'same' as const },
    { shape: [4, 7, 8, 2], k: 5, s: 1, pad: 'same' as const },
  ];
  test.each(cases)('$shape k$k s$s $pad: y and dx', async (c) => {
    const f = () => {
      // Mostly negative values (after a PReLU): padding must never win a window.
      const x = values(c.shape, 16, -1.5);
      const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad);
      const dy = values(pool(x).shape, 17);
      const dx = tf.grad((a: tf.Tensor) => pool(a).mul(dy).sum())(x);
      return [pool(x), dx].map((t) => t.dataSync() as Float32Array);
    };
    await compare(f, ['maxPool', 'maxPoolGrad']);
  });

  test('ties after a ReLU: each window sends its dy to exactly one position', async () => {
    const shape = [2, 12, 10, 3];
    const dx = await onWasm(true, () =>
      tf.tidy(() => {
        const x = values(shape, 18).relu().sub(0.8).relu(); // mostly zeros
        const dy = tf.onesLike(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'));
        return tf
          .grad((a: tf.Tensor) =>
            tf
              .maxPool(a as tf.Tensor4D, 2, 2, 'valid')
              .mul(dy)
              .sum(),
          )(x)
          .dataSync();
      }),
    );
    // dy = 1 everywhere: dx is 1 at exactly one position of each 2×2 window, 0 elsewhere.
    const values01 = Array.from(dx);
    expect(values01.every((v) => v === 0 || v === 1)).toBe(true);
    const perWindow = await onBackend('cpu', () =>
      tf.tidy(() => tf.tensor(values01, [2, 6, 2, 5, 2, 3]).sum([2, 4]).dataSync()),
    );
    expect(Array.from(perWindow)).toEqual(new Array(2 * 6 * 5 * 3).fill(1));
  });
});

describe.runIf(oneDnnTests)('oneDNN elementwise ops over activation maps', () => {
  const map = [4, 17, 17, 64];
  test.each([
    { name: 'add bias', f: () => tf.add(values(map, 23), values([64], 24)) },
    {
      name: 'add, broadcast operand first',
      f: () => tf.add(values([1, 17, 1, 64], 24), values(map, 23)),
    },
    { name: 'subtract a broadcast row', f: () => tf.sub(values(map, 23), values([17, 1, 64], 25)) },
    { name: 'multiply', f: () => tf.mul(values(map, 23), values(map, 26)) },
    { name: 'relu', f: () => tf.relu(values(map, 27)) },
  ])('$name', async ({ name, f }) => {
    const kernel = name === 'relu' ? 'relu' : 'binary';
    await compare(() => f().dataSync() as Float32Array, [kernel]);
  });

  test.each([0, 0.3])(
    'step (the relu gradient\u2019s mask), alpha %s; NaN stays NaN',
    async (alpha) => {
      const x = (tail: number[]) => values(map, 28).reshape([-1]).concat(tf.tensor(tail));
      await compare(() => tf.step(x([0, -0, 2]), alpha).dataSync() as Float32Array, ['step']);
      setOneDnnEnabled(true);
      const engine = await onBackend('wasm', () =>
        tf.tidy(() => tf.step(x([Number.NaN]), alpha).dataSync()),
      );
      expect(engine.at(-1)).toBeNaN();
    },
  );

  test('leaky relu (the relu primitive with a slope)', async () => {
    await compare(() => tf.leakyRelu(values(map, 27), 0.25).dataSync() as Float32Array, ['relu']);
  });

  test.each([0, 0.25])(
    'relu gradient in one pass, alpha %s: tfjs’s dy·step(x) bit for bit, NaN stays NaN',
    async (alpha) => {
      const n = map.reduce((p, d) => p * d, 1) + 3;
      const x = () =>
        values(map, 28)
          .reshape([-1])
          .concat(tf.tensor([0, -0, Number.NaN]));
      const dy = () => values([n], 29);
      const kernel = () =>
        (tf.engine().runKernel(ReluGrad, { dy: dy(), x: x() }, { alpha }) as tf.Tensor).dataSync();
      const spy = vi.spyOn(oneDnn(), 'reluGrad');
      const engine = await onWasm(true, () => tf.tidy(kernel));
      expect(spy).toHaveBeenCalled();
      const wasm = await onWasm(false, () => tf.tidy(kernel));
      const tfjs = await onBackend('cpu', () =>
        tf.tidy(() => tf.mul(dy(), tf.step(x(), alpha)).dataSync()),
      );
      expect(engine).toEqual(tfjs);
      expect(wasm).toEqual(tfjs);
      expect(engine.at(-1)).toBeNaN();
    },
  );

  test('small tensors and a broadcast first operand of a subtraction stay on wasm', async () => {
    const spy = vi.spyOn(oneDnn(), 'binary');
    await compare(() => tf.sub(values([64], 25), values(map, 23)).dataSync() as Float32Array, []);
    await compare(
      () => tf.add(values([8, 64], 23), values([64], 24)).dataSync() as Float32Array,
      [],
    );
    expect(spy).not.toHaveBeenCalled();
  });
});

describe.runIf(oneDnnTests)('oneDNN threads and wasm memory', () => {
  const dwOf = () =>
    tf.tidy(() => {
      const x = values([8, 17, 17, 16], 19);
      const w = values([3, 3, 16, 32], 20);
      const [dw] = tf.grads((b: tf.Tensor) =>
        tf
          .conv2d(x as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')
          .square()
          .sum(),
      )([w]);
      return dw.dataSync();
    });

  test('deterministic for a fixed thread count; 1 and 2 threads agree to rounding', async () => {
    try {
      oneDnn().setThreads(2);
      expect(oneDnn().threads()).toBe(2);
      const first = await onWasm(true, dwOf);
      const second = await onWasm(true, dwOf);
      expect(Array.from(second)).toEqual(Array.from(first));
      oneDnn().setThreads(1);
      const single = await onWasm(true, dwOf);
      expect(maxRelativeError(single, first)).toBeLessThan(1e-5);
    } finally {
      oneDnn().setThreads(1);
    }
  });

  test('a new thread count rebuilds the cached primitives (each keeps the split it was made for)', async () => {
    try {
      oneDnn().clearCache();
      await onWasm(true, dwOf);
      const built = oneDnn().implementations().length;
      expect(built).toBeGreaterThan(0);
      oneDnn().setThreads(1); // the count it has: the cache stays
      expect(oneDnn().implementations()).toHaveLength(built);
      oneDnn().setThreads(2);
      expect(oneDnn().implementations()).toHaveLength(0);
      await onWasm(true, dwOf);
      expect(oneDnn().implementations()).toHaveLength(built);
    } finally {
      oneDnn().setThreads(1);
    }
  });

  test('an output that grows wasm memory: the kernel writes into the new heap', async () => {
    await onWasm(true, async () => {
      const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
      const before = heap().buffer;
      // A 1×1 convolution from 1 to 64 channels whose output is larger than the whole heap.
      const pixels = Math.ceil(before.byteLength / 4 / 64) + 4096;
      const x = values([1, pixels, 1, 1], 21);
      const w = values([1, 1, 1, 64], 22);
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid');
      expect(heap().buffer).not.toBe(before);
      expect(heap().buffer.byteLength).toBeGreaterThan(before.byteLength);
      const expected = tf.mul(x.reshape([pixels, 1]), w.reshape([1, 64]));
      expect(maxRelativeError(y.dataSync(), expected.dataSync())).toBeLessThan(1e-6);
      tf.dispose([x, w, y, expected]);
    });
  });
});
