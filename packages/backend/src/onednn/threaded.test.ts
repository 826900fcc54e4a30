import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { BackendUnavailableError, selectBackend } from '../index';
import { oneDnnTests } from '../testing/oneDnnTests';
import { oneDnnKernels } from './register';

describe.runIf(oneDnnTests)('the oneDNN engine next to threaded wasm', () => {
  test('asking for onednn once wasm runs its threaded build says why and what to do', async () => {
    const wasm = await selectBackend({ prefer: 'wasm', threads: 2 });
    expect(wasm.threads).toBe(2);
    const error = await selectBackend({ prefer: 'onednn', threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /SharedArrayBuffer heap .* ask for "onednn" in the first selectBackend\(\) call/,
    );
    // The wasm backend keeps running on its own kernels.
    expect(oneDnnKernels()).toEqual([]);
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.conv2d(
      tf.ones([1, 5, 5, 2]) as tf.Tensor4D,
      tf.ones([3, 3, 2, 1]) as tf.Tensor4D,
      1,
      'valid',
    );
    expect(Array.from(y.dataSync())).toEqual(new Array(9).fill(18));
    y.dispose();
  });
});
