import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, test } from 'vitest';
import { BackendArgumentError, BackendUnavailableError, selectBackend } from './index';
import { oneDnnKernels } from './onednn/register';
import { oneDnnTests } from './testing/oneDnnTests';

afterEach(async () => {
  await tf.setBackend('cpu');
  if (tf.findBackendFactory('tensorflow') !== null) tf.removeBackend('tensorflow');
});

describe('selectBackend', () => {
  // Needs the oneDNN addon built at install (libdnnl-dev); onednn/fallback.test.ts plays a
  // machine without it, where auto picks wasm.
  test.runIf(oneDnnTests)(
    'auto picks onednn (wasm + oneDNN kernels) when tfjs-node is absent',
    async () => {
      const info = await selectBackend({ threads: 2 });
      expect(info).toMatchObject({ name: 'onednn', device: 'cpu', threads: 2 });
      expect(info.onednnKernels).toEqual(
        expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'BatchMatMul', 'MaxPoolGrad']),
      );
      expect(info.trainingKernels).toContain('Slice');
      expect(tf.getBackend()).toBe('wasm');
    },
  );

  test.runIf(oneDnnTests)('without `threads`, oneDNN gets every core', async () => {
    const info = await selectBackend({ prefer: 'onednn' });
    expect(info).toMatchObject({ name: 'onednn', threads: availableParallelism() });
  });

  test.runIf(oneDnnTests)('wasm by name switches the oneDNN kernels off', async () => {
    await selectBackend({ prefer: 'onednn' });
    const info = await selectBackend({ prefer: 'wasm' });
    expect(info.name).toBe('wasm');
    expect(info.onednnKernels).toBeUndefined();
    expect(oneDnnKernels()).toEqual([]);
  });

  test('asking for tensorflow here raises a typed error naming the packages', async () => {
    const error = await selectBackend({ prefer: 'tensorflow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('@tensorflow/tfjs-node-gpu');
    expect(message).toContain('@tensorflow/tfjs-node');
    expect(message).toMatch(/Available here: wasm, cpu/);
  });

  test('cpu and wasm can be chosen by name', async () => {
    expect((await selectBackend({ prefer: 'cpu' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend({ prefer: 'wasm' })).name).toBe('wasm');
  });

  test('bad options are rejected with what to do', async () => {
    await expect(selectBackend({ prefer: 'gpu' as never })).rejects.toThrow(
      /Unknown backend "gpu".*tfjs-node-gpu/,
    );
    await expect(selectBackend({ threads: 0 })).rejects.toBeInstanceOf(BackendArgumentError);
  });

  test('a machine with tfjs-node gets the tensorflow backend unchanged', async () => {
    // Plays tfjs-node's import: it registers a backend named "tensorflow" (here a cpu one).
    const cpuFactory = tf.findBackendFactory('cpu')!;
    const loaded: string[] = [];
    const info = await selectBackend({}, async (specifier) => {
      loaded.push(specifier);
      if (specifier === '@tensorflow/tfjs-node-gpu') throw new Error('Cannot find module');
      tf.registerBackend('tensorflow', cpuFactory, 3);
      return { version: { 'tfjs-node': '4.22.0' } };
    });
    expect(loaded).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(info).toMatchObject({
      name: 'tensorflow',
      device: 'cpu',
      package: '@tensorflow/tfjs-node',
      version: '4.22.0',
    });
    expect(tf.getBackend()).toBe('tensorflow');
  });

  test('tfjs-node-gpu is preferred over tfjs-node', async () => {
    const cpuFactory = tf.findBackendFactory('cpu')!;
    const info = await selectBackend({ prefer: 'tensorflow' }, async () => {
      tf.registerBackend('tensorflow', cpuFactory, 3);
      return { version: '4.22.0' };
    });
    expect(info).toMatchObject({ device: 'gpu', package: '@tensorflow/tfjs-node-gpu' });
  });
});
