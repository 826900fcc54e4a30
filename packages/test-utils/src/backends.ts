import * as tf from '@tensorflow/tfjs';

/** Runs `fn` with `name` as the active backend and restores the previous one afterwards. */
export async function onBackend<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  if (!(await tf.setBackend(name))) throw new Error(`Backend "${name}" failed to initialise.`);
  try {
    return await fn();
  } finally {
    if (previous !== undefined) await tf.setBackend(previous);
  }
}
