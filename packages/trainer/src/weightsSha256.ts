import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';

/** SHA-256 of `model`'s weights in its weight order, each as float32 little-endian bytes. */
export function weightsSha256(model: tf.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.weights) {
    const data = w.read().dataSync() as Float32Array;
    hash.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}
