import * as tf from '@tensorflow/tfjs';
import { WasmCalls } from '../wasm/kernelCalls';
import type { OneDnnAddon } from './addon';
import { callAddon, floats, type HeapBackend, type OneDnnKernel, size } from './heap';
import type { ConvGeometry } from './layouts';

/** tfjs's conv info as the addon's geometry fields (layouts.ts). */
function convGeometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  const p = info.padInfo;
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: p.top,
    padBottom: p.bottom,
    padLeft: p.left,
    padRight: p.right,
  };
}

type ConvAttrs = {
  strides: [number, number] | number;
  pad: tf.Conv2DAttrs['pad'];
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/** tfjs's conv info for NHWC calls without a rounding mode; `undefined` for the others. */
function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
): tf.backend_util.Conv2DInfo | undefined {
  // A rounding mode changes the output size without changing the pads; leave those to wasm.
  if (attrs.dataFormat === 'NCHW' || attrs.dimRoundingMode != null) return undefined;
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
  );
}

/**
 * y = conv(x, W) (+ bias) (then relu or PReLU), on oneDNN's forward convolution:
 *   y[b, i, j, co] = Σ_{kh, kw, ci} x[b, i·s + kh·d − top, j·s + kw·d − left, ci] · W[kh, kw, ci, co]
 * x NHWC, W HWIO (tfjs's layouts, read in place). Bias and relu are fused into the primitive;
 * PReLU runs afterwards as its own kernel (oneDNN's for big maps, see prelu.ts).
 */
function convForward(
  addon: OneDnnAddon,
  backend: HeapBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  attrs: ConvAttrs,
  bias: tf.TensorInfo | undefined,
  relu: boolean,
): tf.TensorInfo | undefined {
  const info = convInfo(x.shape, filter.shape, attrs);
  if (info === undefined || !floats(x, filter, bias)) return undefined;
  if (bias !== undefined && size(bias.shape) !== info.outChannels) return undefined;
  const [y] = callAddon(addon, backend, 'conv2d', {
    inputs: { x, filter, bias },
    outputs: { y: info.outShape },
    values: { ...convGeometry(info), withBias: bias !== undefined, relu },
  });
  return y;
}

export const conv2D: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  return convForward(
    addon,
    backend as HeapBackend,
    x,
    filter,
    attrs as unknown as ConvAttrs,
    undefined,
    false,
  );
};

/**
 * tfjs's fused conv (what tfjs-layers' conv2d runs): bias and relu fused, PReLU after it as the
 * registered `Prelu` kernel (tfjs has no gradient for a fused PReLU, so training never gets here
 * with one).
 */
export const fusedConv2D: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x, filter, bias, preluActivationWeights } = inputs as unknown as tf.FusedConv2DInputs;
  const a = attrs as unknown as tf.FusedConv2DAttrs;
  if (!['linear', 'relu', 'prelu'].includes(a.activation)) return undefined;
  const y = convForward(
    addon,
    backend as HeapBackend,
    x,
    filter,
    a as ConvAttrs,
    bias,
    a.activation === 'relu',
  );
  if (y === undefined || a.activation !== 'prelu') return y;
  const calls = new WasmCalls(backend);
  calls.adopt(y);
  return calls.finish(
    calls.run(tf.Prelu, { x: y, alpha: preluActivationWeights as tf.TensorInfo }),
  );
};

/**
 * The geometry both backward convolutions hand to oneDNN, or undefined when the call is left to
 * wasm (NCHW, a rounding mode, or non-float32 tensors).
 */
function backwardGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
  ...tensors: tf.TensorInfo[]
): ConvGeometry | undefined {
  const info = convInfo(xShape, filterShape, attrs);
  return info === undefined || !floats(...tensors) ? undefined : convGeometry(info);
}

/**
 * dx of a convolution, on oneDNN's backward-data primitive:
 *   dx[b, h, w, ci] = Σ_{i, j, kh, kw, co : i·s + kh − top = h, j·s + kw − left = w} dy[b, i, j, co] · W[kh, kw, ci, co]
 * dy [b, oh, ow, co] NHWC, W HWIO; every stride and padding in one primitive.
 */
export const conv2DBackpropInput: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const values = backwardGeometry(a.inputShape, filter.shape, a, dy, filter);
  if (values === undefined) return undefined;
  const outputs = { dx: a.inputShape };
  return callAddon(addon, backend as HeapBackend, 'conv2dBackpropInput', {
    inputs: { dy, filter },
    outputs,
    values,
  })[0];
};

/**
 * dW of a convolution, on oneDNN's backward-weights primitive:
 *   dW[kh, kw, ci, co] = Σ_{b, i, j} x[b, i·s + kh − top, j·s + kw − left, ci] · dy[b, i, j, co]
 * computed in oneDNN's blocked layout and reordered into tfjs's HWIO.
 */
export const conv2DBackpropFilter: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const values = backwardGeometry(x.shape, a.filterShape, a, x, dy);
  if (values === undefined) return undefined;
  const outputs = { dw: a.filterShape };
  return callAddon(addon, backend as HeapBackend, 'conv2dBackpropFilter', {
    inputs: { x, dy },
    outputs,
    values,
  })[0];
};
