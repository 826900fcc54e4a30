import * as tf from '@tensorflow/tfjs';

/** Threads the active wasm backend's XNNPACK pool really has (1 when wasm is not running). */
export function wasmThreads(): number {
  const backend = tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount(): number } } };
  return backend.wasm?.tfjs?.getThreadsCount() ?? 1;
}
