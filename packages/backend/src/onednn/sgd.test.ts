import { normalArray, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test, vi } from 'vitest';
import { SgdUpdate } from '../kernelNames';
import { oneDnnTests, useOneDnnAddon } from '../testing/oneDnnTests';
import { setOneDnnEnabled } from './register';

// The fused momentum-SGD update against the composite it replaces (@rectifier/trainer's
// `apply`: v' = μ·v − ε·(g + λ·w), w' = w + v' as tfjs ops), which it must match bit for bit:
// the trainer's exact resume compares weights by hash.
const oneDnn = useOneDnnAddon();

const data = (n: number, seed: number) => Float32Array.from(normalArray(n, seed));

const attrs = (weightDecay: number) => ({ learningRate: 0.01 * 2, weightDecay, momentum: 0.9 });

/** Three updates through the kernel (fused) or as tfjs ops (composite), read back. */
function threeUpdates(n: number, weightDecay: number, fused: boolean) {
  return tf.tidy(() => {
    let w = tf.tensor(data(n, 51));
    let v = tf.zeros([n]);
    const a = attrs(weightDecay);
    for (let step = 0; step < 3; step++) {
      const g = tf.tensor(data(n, 52 + step));
      if (fused) {
        [w, v] = tf.engine().runKernel(SgdUpdate, { w, g, v }, a) as tf.Tensor[];
      } else {
        const decayed = weightDecay === 0 ? g : g.add(w.mul(weightDecay));
        v = v.mul(tf.scalar(a.momentum)).sub(decayed.mul(a.learningRate));
        w = w.add(v);
      }
    }
    return [w.dataSync() as Float32Array, v.dataSync() as Float32Array];
  });
}

describe.runIf(oneDnnTests)('oneDNN engine: fused momentum-SGD update', () => {
  test.each([
    { n: 7, weightDecay: 5e-4 * 1, threads: 1 },
    { n: 7, weightDecay: 0, threads: 1 },
    { n: 100_003, weightDecay: 5e-4, threads: 1 },
    { n: 100_003, weightDecay: 5e-4, threads: 2 },
    { n: 100_003, weightDecay: 0, threads: 2 },
  ])('$n floats, λ $weightDecay, $threads thread(s): the composite\u2019s bits', async (c) => {
    oneDnn().setThreads(c.threads);
    const spy = vi.spyOn(oneDnn(), 'sgdUpdate');
    setOneDnnEnabled(true);
    const engine = await onBackend('wasm', () => threeUpdates(c.n, c.weightDecay, true));
    expect(spy).toHaveBeenCalledTimes(3);
    setOneDnnEnabled(false);
    const wasmKernel = await onBackend('wasm', () => threeUpdates(c.n, c.weightDecay, true));
    const wasmOps = await onBackend('wasm', () => threeUpdates(c.n, c.weightDecay, false));
    const cpu = await onBackend('cpu', () => threeUpdates(c.n, c.weightDecay, false));
    for (const other of [wasmKernel, wasmOps, cpu]) {
      expect(Array.from(engine[0])).toEqual(Array.from(other[0]));
      expect(Array.from(engine[1])).toEqual(Array.from(other[1]));
    }
  });

  test('no tensor leaks', async () => {
    setOneDnnEnabled(true);
    await onBackend('wasm', () => {
      threeUpdates(1000, 5e-4, true);
      const before = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      for (let i = 0; i < 10; i++) threeUpdates(1000, 5e-4, true);
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.memory().numBytes).toBe(bytes);
    });
  });
});
