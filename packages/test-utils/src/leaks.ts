import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/**
 * Runs `fn` and asserts it leaves as many live tensors as it found. `fn` may return tensors it
 * means to keep; list how many with `keep`.
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>, keep = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors - before, 'tensors leaked').toBe(keep);
  return result;
}
