import { scanPyramidBins } from '@rectifier/core';
import type * as tf from '@tensorflow/tfjs';
import type { SppAttrs } from '../kernelNames';
import { type HeapBackend, offsetOf } from '../onednn/heap';
import type { KernelFn } from './kernelCalls';

/** A view of a float32 tensor's values in the wasm heap (no copy; valid until the next malloc). */
function floatsOf(backend: HeapBackend, info: tf.TensorInfo): Float32Array {
  const n = info.shape.reduce((p, d) => p * d, 1);
  return new Float32Array(backend.wasm.HEAPU8.buffer, offsetOf(backend, info), n);
}

const features = (x: tf.TensorInfo, { levels }: SppAttrs) =>
  (x.shape[3] as number) * levels.reduce((s, n) => s + n * n, 0);

/**
 * SPP's forward on wasm in one pass over the map (instead of a pooling, slice and max call per
 * bin row and column); the oneDNN engine threads the same scan over images.
 */
export const sppMaxPool: KernelFn = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const pyramid = attrs as unknown as SppAttrs;
  const heap = backend as HeapBackend;
  const [batch, , , channels] = x.shape;
  const width = features(x, pyramid);
  const y = heap.makeOutput([batch, width], 'float32');
  // Views after the output's malloc, which may have grown (and replaced) the heap.
  const xs = floatsOf(heap, x);
  const ys = floatsOf(heap, y);
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  for (let b = 0; b < batch; b++) {
    scanPyramidBins(xs, x.shape, b, pyramid, best, at, (f) => ys.set(best, b * width + f));
  }
  return y;
};

/** SPP's input gradient on wasm: each bin's dy added at its first maximum (kernelNames.ts). */
export const sppGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const pyramid = attrs as unknown as SppAttrs;
  const heap = backend as HeapBackend;
  const [batch, , , channels] = x.shape;
  const width = features(x, pyramid);
  const dx = heap.makeOutput([...x.shape], 'float32');
  const xs = floatsOf(heap, x);
  const g = floatsOf(heap, dy);
  const out = floatsOf(heap, dx);
  out.fill(0);
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  for (let b = 0; b < batch; b++) {
    scanPyramidBins(xs, x.shape, b, pyramid, best, at, (f) => {
      for (let k = 0; k < channels; k++) out[at[k] + k] += g[b * width + f + k];
    });
  }
  return dx;
};
