import type * as tf from '@tensorflow/tfjs';
import type { SgdUpdateAttrs } from '../wasm/sgdUpdate';
import { callAddon, floats, type HeapBackend, type OneDnnKernel, size } from './heap';

/**
 * One parameter's momentum-SGD update (v' = μ·v − ε·(g + λ·w), w' = w + v') in one native pass
 * over w, g and v, threaded above 32 K floats, instead of six wasm kernel calls and their five
 * intermediate tensors. Same float32 operations in the same order as the composite: same bits.
 */
export const sgdUpdate: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { w, g, v } = inputs as { w: tf.TensorInfo; g: tf.TensorInfo; v: tf.TensorInfo };
  const { learningRate, weightDecay, momentum } = attrs as unknown as SgdUpdateAttrs;
  const shape = w.shape.join();
  if (!floats(w, g, v) || g.shape.join() !== shape || v.shape.join() !== shape) return undefined;
  return callAddon(addon, backend as HeapBackend, 'sgdUpdate', {
    inputs: { w, g, v },
    outputs: { wOut: w.shape, vOut: w.shape },
    values: { size: size(w.shape), learningRate, weightDecay, momentum },
  });
};
