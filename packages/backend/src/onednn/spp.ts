import type * as tf from '@tensorflow/tfjs';
import type { SppAttrs } from '../kernelNames';
import { callAddon, floats, type HeapBackend, type OneDnnKernel } from './heap';

/** The fixed fields of both SPP kernels and the pyramid after them (layouts.ts `rest`). */
function pyramidCall(x: tf.TensorInfo, { levels, rowEdges, colEdges }: SppAttrs) {
  const [batch, height, width, channels] = x.shape;
  return {
    values: { batch, height, width, channels, levelCount: levels.length },
    rest: [...levels, ...rowEdges, ...colEdges],
  };
}

const bins = ({ levels }: SppAttrs) => levels.reduce((s, n) => s + n * n, 0);

/**
 * SPP's forward as one threaded scan of the map (wasm/spp.ts has the contract): one call where
 * the separable form makes a pooling, slice and max call per bin row and column.
 */
export const sppMaxPool: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const pyramid = attrs as unknown as SppAttrs;
  if (!floats(x) || x.shape.length !== 4) return undefined;
  const [y] = callAddon(addon, backend as HeapBackend, 'sppPool', {
    inputs: { x },
    outputs: { y: [x.shape[0], x.shape[3] * bins(pyramid)] },
    ...pyramidCall(x, pyramid),
  });
  return y;
};

/** SPP's input gradient, threaded over images, with the same bits as the one-thread scan. */
export const sppGrad: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const pyramid = attrs as unknown as SppAttrs;
  if (!floats(x, dy) || x.shape.length !== 4) return undefined;
  const [dx] = callAddon(addon, backend as HeapBackend, 'sppGrad', {
    inputs: { x, dy },
    outputs: { dx: x.shape },
    ...pyramidCall(x, pyramid),
  });
  return dx;
};
