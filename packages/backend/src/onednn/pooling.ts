import * as tf from '@tensorflow/tfjs';
import {
  floats,
  type HeapBackend,
  heapOf,
  type OneDnnKernel,
  offsetOf,
  runOrRelease,
} from './heap';
import { type PoolGeometry, pack } from './layouts';

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
  const heapBackend = backend as HeapBackend;
  const y = heapBackend.makeOutput(outShape(g), 'float32');
  const params = pack('maxPool', {
    x: offsetOf(heapBackend, x),
    y: offsetOf(heapBackend, y),
    ...g,
  });
  return runOrRelease(heapBackend, y, () => addon.maxPool(heapOf(heapBackend), params));
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
  const heapBackend = backend as HeapBackend;
  const dx = heapBackend.makeOutput([...input.shape], 'float32');
  const params = pack('maxPoolGrad', {
    x: offsetOf(heapBackend, input),
    dy: offsetOf(heapBackend, dy),
    dx: offsetOf(heapBackend, dx),
    ...g,
  });
  return runOrRelease(heapBackend, dx, () => addon.maxPoolGrad(heapOf(heapBackend), params));
};
