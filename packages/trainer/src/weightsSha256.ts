import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';

/**
 * SHA-256 of `model`'s weights in its weight order, each as float32 little-endian bytes. The
 * weights are read with `data()` (webgpu in Node has no synchronous read), all at once.
 */
export async function weightsSha256(model: tf.LayersModel): Promise<string> {
  const all = await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
  const hash = createHash('sha256');
  for (const data of all) hash.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return hash.digest('hex');
}
