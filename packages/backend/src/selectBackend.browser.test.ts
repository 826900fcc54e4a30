import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, test } from 'vitest';
import { BackendError, BackendUnavailableError, selectBackend } from './browser';

// The browser entry's selectBackend, run in Node: the choice logic is the Node entry's; what
// differs is that native tfjs is never tried and threads follow the page's isolation.
afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('selectBackend (browser entry)', () => {
  test('auto goes straight to wasm with the training kernels', async () => {
    const info = await selectBackend();
    expect(info).toMatchObject({ name: 'wasm', device: 'cpu', threads: 1 });
    expect(info.trainingKernels).toContain('Conv2DBackpropFilter');
    expect(tf.getBackend()).toBe('wasm');
  });

  test('tensorflow is unavailable, and the cause says the addons are Node-only', async () => {
    const error = await selectBackend({ prefer: 'tensorflow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const causes = (error as Error).cause as Error[];
    expect(causes.map((c) => c.message)).toEqual([
      '@tensorflow/tfjs-node-gpu is a Node.js addon and cannot load in a browser',
      '@tensorflow/tfjs-node is a Node.js addon and cannot load in a browser',
    ]);
  });

  test('threads > 1 on a page that is not cross-origin isolated is refused', async () => {
    await expect(selectBackend({ prefer: 'wasm', threads: 2 })).rejects.toBeInstanceOf(
      BackendError,
    );
  });
});
