import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { BackendUnavailableError, selectBackend } from '../index';
import { tapCounts } from '../testing/tapCounts';

// A machine where the addon was not built (no oneDNN or no compiler at install).
vi.mock('./addon', () => ({
  loadOneDnnAddon: () =>
    new Error('the oneDNN addon was not built (simulated): install oneDNN (libdnnl-dev)'),
}));

afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('selectBackend without the oneDNN addon', () => {
  test('auto falls back to wasm with the training kernels', async () => {
    const info = await selectBackend();
    // No `threads`: every core (docs/packages/backend.md#threads; the CLI's default too).
    expect(info).toMatchObject({ name: 'wasm', threads: availableParallelism() });
    expect(info.onednnKernels).toBeUndefined();
    expect(info.trainingKernels).toContain('Conv2DBackpropFilter');
    expect(tf.getBackend()).toBe('wasm');
    // Training still works there.
    const dw = tapCounts();
    expect(Array.from(dw)).toEqual([16, 20, 16, 20, 25, 20, 16, 20, 16]);
  });

  test('once wasm runs, the default is its pool: a later call neither resizes nor throws', async () => {
    const info = await selectBackend({ prefer: 'wasm' });
    expect(info.threads).toBe(availableParallelism());
    await expect(selectBackend({ prefer: 'wasm', threads: 1 + info.threads })).rejects.toThrow(
      /choose `threads` in the first selectBackend\(\) call/,
    );
  });

  test('asking for onednn by name says what to install', async () => {
    const error = await selectBackend({ prefer: 'onednn' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/Backend "onednn" is not available: .*libdnnl-dev/);
    expect((error as Error).message).toMatch(/Available here: wasm, cpu/);
  });
});
