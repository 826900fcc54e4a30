import { expectAllClose, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { registerWasmTrainingKernels } from './register';

describe('wasm Identity shares its input buffer', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test('a clone has the values, outlives its source, and frees the buffer with the last owner', async () => {
    await onBackend('wasm', () => {
      const start = tf.memory();
      const startIds = tf.engine().backend.numDataIds();
      const x = tf.tensor([1, -2, 3, 4.5, 0, 6], [2, 3]);
      const y = tf.clone(x);
      const ints = tf.clone(tf.tensor([7, 8], [2], 'int32'));
      // Two sources, two clones, two buffers: the clones share them.
      expect(tf.memory().numDataBuffers - start.numDataBuffers).toBe(2);
      x.dispose();
      expect(y.shape).toEqual([2, 3]);
      expect(Array.from(y.dataSync())).toEqual([1, -2, 3, 4.5, 0, 6]);
      expect(Array.from(ints.dataSync())).toEqual([7, 8]);
      expect(ints.dtype).toBe('int32');
      tf.dispose([y, ints]);
      // Left: the int32 source (still ours), and with it its buffer.
      expect(tf.memory().numTensors).toBe(start.numTensors + 1);
      expect(tf.memory().numDataBuffers).toBe(start.numDataBuffers + 1);
      expect(tf.engine().backend.numDataIds()).toBe(startIds + 1); // the wasm heap too
    });
  });

  test('gradients through saved (cloned) tensors match the cpu backend', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor([0.5, -1.5, 2, -0.25, 3, 1], [2, 3]);
        const w = tf.variable(
          tf.tensor([
            [0.2, -0.4],
            [1.1, 0.3],
            [-0.7, 0.9],
          ]),
        );
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.square(tf.relu(tf.matMul(x, w)))).asScalar(),
          [w],
        );
        const out = [value.dataSync()[0], ...grads[w.name].dataSync()];
        w.dispose();
        return out;
      });
    const wasm = await onBackend('wasm', run);
    const cpu = await onBackend('cpu', run);
    expectAllClose(wasm, cpu, { rtol: 1e-5, atol: 1e-6 });
  });
});

describe('wasm Cast to the same dtype shares its input buffer', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  test('no new buffer for float32 → float32 or int32 → int32; conversions still convert', async () => {
    await onBackend('wasm', () => {
      const start = tf.memory();
      const x = tf.tensor([1.75, -2.5, 3], [3]);
      const i = tf.tensor([7, -8], [2], 'int32');
      const same = [tf.cast(x, 'float32'), tf.cast(i, 'int32')];
      expect(tf.memory().numDataBuffers - start.numDataBuffers).toBe(2);
      const converted = [tf.cast(x, 'int32'), tf.cast(i, 'float32')];
      expect(tf.memory().numDataBuffers - start.numDataBuffers).toBe(4);
      tf.dispose([x, i]);
      expect(Array.from(same[0].dataSync())).toEqual([1.75, -2.5, 3]);
      expect(Array.from(same[1].dataSync())).toEqual([7, -8]);
      expect(same.map((t) => t.dtype)).toEqual(['float32', 'int32']);
      expect(Array.from(converted[0].dataSync())).toEqual([1, -2, 3]);
      expect(converted[1].dtype).toBe('float32');
      expect(Array.from(converted[1].dataSync())).toEqual([7, -8]);
      tf.dispose([...same, ...converted]);
      expect(tf.memory().numTensors).toBe(start.numTensors);
      expect(tf.memory().numDataBuffers).toBe(start.numDataBuffers);
    });
  });

  test("ReLU's gradient (the cast's caller) matches the cpu backend", async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor([0.5, -1.5, 2, -0.25, 0, 1], [2, 3]);
        return Array.from(
          tf
            .grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), v)))(x)
            .dataSync(),
        );
      });
    const wasm = await onBackend('wasm', run);
    const cpu = await onBackend('cpu', run);
    expectAllClose(wasm, cpu, { rtol: 1e-6, atol: 0 });
  });
});
