import { maxRelativeError, normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test, vi } from 'vitest';
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

describe('wasm dense forward (x·W, fused bias/relu) with weights that change every step', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const shapes = { x: [8, 640], w: [640, 512] }; // W large enough to be worth not packing
  const tensors = () => ({
    x: tf.tensor(normalArray(8 * 640, 6), shapes.x),
    w: tf.tensor(normalArray(640 * 512, 7), shapes.w),
    bias: tf.tensor(normalArray(512, 8), [512]),
  });
  type Run = (t: ReturnType<typeof tensors>) => tf.Tensor;
  const runs: [string, Run][] = [
    ['matMul', (t) => tf.matMul(t.x, t.w)],
    ['fused + bias', (t) => tf.fused.matMul({ a: t.x, b: t.w, bias: t.bias })],
    [
      'fused + bias + relu',
      (t) => tf.fused.matMul({ a: t.x, b: t.w, bias: t.bias, activation: 'relu' }),
    ],
  ];

  test.each(runs)('%s: first and repeated calls match cpu', async (_, run) => {
    const values = () =>
      tf.tidy(() => {
        const t = tensors();
        return [run(t).dataSync().slice(), run(t).dataSync().slice()];
      });
    const [wasmFirst, wasmAgain] = await onBackend('wasm', values);
    const [cpu] = await onBackend('cpu', values);
    expect(maxRelativeError(wasmFirst, cpu)).toBeLessThan(1e-5);
    expect(maxRelativeError(wasmAgain, cpu)).toBeLessThan(1e-5);
  });

  test.each(runs)(
    '%s: a new W is transposed, not packed; a reused W keeps its packing',
    async (_, run) => {
      await onBackend('wasm', async () => {
        const t = tensors();
        // The kernel calls the backend's Transpose directly (no engine, so tf.profile cannot see it).
        const transpose = tf.getKernel('Transpose', 'wasm') as tf.KernelConfig;
        const spy = vi.spyOn(transpose, 'kernelFunc');
        const transposes = () => {
          spy.mockClear();
          run(t).dispose();
          return spy.mock.calls.filter(([args]) => args.inputs.x?.shape.length === 2).length;
        };
        const before = tf.memory().numTensors;
        try {
          expect(transposes()).toBeGreaterThanOrEqual(2); // W, then x (and the small product)
          expect(transposes()).toBe(0);
        } finally {
          spy.mockRestore();
        }
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose(Object.values(t));
      });
    },
  );
});
