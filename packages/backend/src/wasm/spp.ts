import type * as tf from '@tensorflow/tfjs';
import type { SppAttrs } from '../kernelNames';
import { type HeapBackend, offsetOf } from '../onednn/heap';
import type { KernelFn } from './kernelCalls';

/** A view of a float32 tensor's values in the wasm heap (no copy; valid until the next malloc). */
function floatsOf(backend: HeapBackend, info: tf.TensorInfo): Float32Array {
  const n = info.shape.reduce((p, d) => p * d, 1);
  return new Float32Array(backend.wasm.HEAPU8.buffer, offsetOf(backend, info), n);
}

/**
 * Scans every bin of image `b` (levels in order, bins row-major) and calls `visit(feature)` with
 * `best`/`at` holding, per channel, the bin's maximum and the offset of the first pixel holding
 * it (`v > best || isNaN(v)`, PyTorch's scan); `feature` is the bin's first index in a y/dy row.
 * @rectifier/architectures' SPP layer keeps the same scan for backends without these kernels
 * (it cannot import this package), and native/src/spp.cc is its C++ twin: the three must agree.
 */
function scanBins(
  x: Float32Array,
  [, height, width, channels]: number[],
  b: number,
  { levels, rowEdges, colEdges }: SppAttrs,
  best: Float32Array,
  at: Int32Array,
  visit: (feature: number) => void,
): void {
  let offset = 0;
  let edge = 0;
  for (const n of levels) {
    for (let i = 0; i < n; i++) {
      const r0 = rowEdges[edge + 2 * i];
      const r1 = rowEdges[edge + 2 * i + 1];
      for (let j = 0; j < n; j++) {
        const c0 = colEdges[edge + 2 * j];
        const c1 = colEdges[edge + 2 * j + 1];
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(((b * height + r0) * width + c0) * channels);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = ((b * height + r) * width + c) * channels;
            for (let k = 0; k < channels; k++) {
              const v = x[base + k];
              if (v > best[k] || Number.isNaN(v)) {
                best[k] = v;
                at[k] = base;
              }
            }
          }
        }
        visit(offset + (i * n + j) * channels);
      }
    }
    offset += n * n * channels;
    edge += 2 * n;
  }
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
    scanBins(xs, x.shape, b, pyramid, best, at, (f) => ys.set(best, b * width + f));
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
    scanBins(xs, x.shape, b, pyramid, best, at, (f) => {
      for (let k = 0; k < channels; k++) out[at[k] + k] += g[b * width + f + k];
    });
  }
  return dx;
};
