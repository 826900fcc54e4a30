import * as tf from '@tensorflow/tfjs';
import { callAddon, floats, type HeapBackend, type OneDnnKernel } from './heap';
import type { PoolGeometry } from './layouts';

const outShape = (g: PoolGeometry) => [g.batch, g.outHeight, g.outWidth, g.channels];

/** tfjs's pooling info as the addon's geometry fields (layouts.ts). */
function poolGeometry(
  xShape: readonly number[],
  attrs: tf.MaxPoolAttrs | tf.MaxPoolGradAttrs,
): PoolGeometry | undefined {
  if (attrs.dimRoundingMode != null) return undefined;
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
  );
  const p = info.padInfo;
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: p.top,
    padBottom: p.bottom,
    padLeft: p.left,
    padRight: p.right,
  };
}

/** y[b, i, j, c] = max over the window of x (padding never wins), on oneDNN's pooling. */
export const maxPool: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const g = poolGeometry(x.shape, attrs as unknown as tf.MaxPoolAttrs);
  if (g === undefined || !floats(x)) return undefined;
  const [y] = callAddon(addon, backend as HeapBackend, 'maxPool', {
    inputs: { x },
    outputs: { y: outShape(g) },
    values: g,
  });
  return y;
};

/**
 * dx of max pooling: each window's dy goes to the position of its maximum (summed where
 * windows overlap). oneDNN re-runs the forward pass for its arg-max workspace, then scatters.
 */
export const maxPoolGrad: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const g = poolGeometry(input.shape, attrs as unknown as tf.MaxPoolGradAttrs);
  if (g === undefined || !floats(dy, input)) return undefined;
  if (dy.shape.join() !== outShape(g).join()) return undefined;
  const [dx] = callAddon(addon, backend as HeapBackend, 'maxPoolGrad', {
    inputs: { x: input, dy },
    outputs: { dx: input.shape },
    values: g,
  });
  return dx;
};
