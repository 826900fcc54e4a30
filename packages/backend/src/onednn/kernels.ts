import * as tf from '@tensorflow/tfjs';
import { type KernelFn, type WasmBackend, WasmCalls } from '../wasm/kernelCalls';
import type { OneDnnAddon } from './addon';

/** The parts of tfjs-backend-wasm's `BackendWasm` that locate a tensor in the wasm heap. */
interface HeapBackend extends WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * A kernel on oneDNN, or `undefined` when this call is one it does not take (another dtype or
 * layout, an activation oneDNN does not fuse here): the previous kernel then runs.
 */
export type OneDnnKernel = (
  addon: OneDnnAddon,
  args: Parameters<KernelFn>[0],
) => tf.TensorInfo | undefined;

/**
 * Byte offset of a tensor's data in the wasm heap. Offsets stay valid when the memory grows
 * (only the ArrayBuffer object is replaced), so they can be taken before outputs are allocated.
 */
function offsetOf(backend: HeapBackend, info: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) {
    throw new Error(`oneDNN kernel: tensor of shape [${info.shape}] has no data on wasm.`);
  }
  return data.memoryOffset;
}

/**
 * The heap as it is now. Read it after the last allocation of a kernel: a malloc that grows
 * wasm's memory detaches the previous ArrayBuffer, and the addon must see the new one.
 */
function heapOf(backend: HeapBackend): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

/** The engine only addresses the non-threaded build's heap (a plain ArrayBuffer). */
export function addressableHeap(backend: WasmBackend): boolean {
  const wasm = (backend as Partial<HeapBackend>).wasm;
  return wasm !== undefined && wasm.HEAPU8.buffer instanceof ArrayBuffer;
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
const floats = (...infos: (tf.TensorInfo | undefined)[]) =>
  infos.every((i) => i === undefined || (i.dtype === 'float32' && size(i.shape) > 0));

/** [b, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, top, bottom, left, right], as onednn.cc reads. */
function convSizes(info: tf.backend_util.Conv2DInfo): number[] {
  const p = info.padInfo;
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.bottom,
    p.left,
    p.right,
  ];
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
 * PReLU runs afterwards on wasm's kernel.
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
  const y = backend.makeOutput(info.outShape, 'float32');
  const params = new Float64Array([
    offsetOf(backend, x),
    offsetOf(backend, filter),
    bias === undefined ? -1 : offsetOf(backend, bias),
    offsetOf(backend, y),
    ...convSizes(info),
    bias === undefined ? 0 : 1,
    relu ? 1 : 0,
  ]);
  return runOrRelease(backend, y, () => addon.conv2d(heapOf(backend), params));
}

/** Runs `call`, or frees the output it was to fill when the addon throws. */
function runOrRelease(backend: HeapBackend, out: tf.TensorInfo, call: () => void): tf.TensorInfo {
  try {
    call();
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
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

/** tfjs's fused conv (what tfjs-layers' conv2d runs): bias and relu fused, PReLU after it. */
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
 * dx of a convolution, on oneDNN's backward-data primitive:
 *   dx[b, h, w, ci] = Σ_{i, j, kh, kw, co : i·s + kh − top = h, j·s + kw − left = w} dy[b, i, j, co] · W[kh, kw, ci, co]
 * dy [b, oh, ow, co] NHWC, W HWIO; every stride and padding in one primitive.
 */
export const conv2DBackpropInput: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convInfo(a.inputShape, filter.shape, a);
  if (info === undefined || !floats(dy, filter)) return undefined;
  const heapBackend = backend as HeapBackend;
  const dx = heapBackend.makeOutput([...a.inputShape], 'float32');
  const params = new Float64Array([
    offsetOf(heapBackend, dy),
    offsetOf(heapBackend, filter),
    offsetOf(heapBackend, dx),
    ...convSizes(info),
  ]);
  return runOrRelease(heapBackend, dx, () =>
    addon.conv2dBackpropInput(heapOf(heapBackend), params),
  );
};

/**
 * dW of a convolution, on oneDNN's backward-weights primitive:
 *   dW[kh, kw, ci, co] = Σ_{b, i, j} x[b, i·s + kh − top, j·s + kw − left, ci] · dy[b, i, j, co]
 * computed in oneDNN's blocked layout and reordered into tfjs's HWIO.
 */
export const conv2DBackpropFilter: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape, a.filterShape, a);
  if (info === undefined || !floats(x, dy)) return undefined;
  const heapBackend = backend as HeapBackend;
  const dw = heapBackend.makeOutput([...a.filterShape], 'float32');
  const params = new Float64Array([
    offsetOf(heapBackend, x),
    offsetOf(heapBackend, dy),
    offsetOf(heapBackend, dw),
    ...convSizes(info),
  ]);
  return runOrRelease(heapBackend, dw, () =>
    addon.conv2dBackpropFilter(heapOf(heapBackend), params),
  );
};

/**
 * C = op(A)·op(B) (+ bias) (relu), batched, on oneDNN's matmul: A [..., m, k] (or [..., k, m]
 * transposed), B [..., k, n] (or [..., n, k]); the transposes are strides, nothing is copied.
 * Batches must be equal or one of them 1 (broadcast); other broadcasts go to wasm.
 */
function matMul(
  addon: OneDnnAddon,
  backend: HeapBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: tf.TensorInfo | undefined,
  relu: boolean,
): tf.TensorInfo | undefined {
  if (!floats(a, b, bias) || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [k2, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== k2) return undefined; // the op checks this before; let wasm report it
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  if (size(outer) !== Math.max(batchA, batchB)) return undefined;
  if (bias !== undefined && (size(bias.shape) !== n || bias.shape.at(-1) !== n)) return undefined;
  const c = backend.makeOutput([...outer, m, n], 'float32');
  const params = new Float64Array([
    offsetOf(backend, a),
    offsetOf(backend, b),
    bias === undefined ? -1 : offsetOf(backend, bias),
    offsetOf(backend, c),
    batchA,
    batchB,
    m,
    k,
    n,
    transposeA ? 1 : 0,
    transposeB ? 1 : 0,
    bias === undefined ? 0 : 1,
    relu ? 1 : 0,
  ]);
  return runOrRelease(backend, c, () => addon.matmul(heapOf(backend), params));
}

export const batchMatMul: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  return matMul(addon, backend as HeapBackend, a, b, transposeA, transposeB, undefined, false);
};

/** tfjs's fused dense product: bias and relu fused, PReLU after it; other activations on wasm. */
export const fusedMatMul: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { a, b, bias, preluActivationWeights } = inputs as unknown as tf._FusedMatMulInputs;
  const { transposeA, transposeB, activation } = attrs as unknown as tf._FusedMatMulAttrs;
  if (!['linear', 'relu', 'prelu'].includes(activation)) return undefined;
  const c = matMul(
    addon,
    backend as HeapBackend,
    a,
    b,
    transposeA,
    transposeB,
    bias,
    activation === 'relu',
  );
  if (c === undefined || activation !== 'prelu') return c;
  const calls = new WasmCalls(backend);
  calls.adopt(c);
  return calls.finish(
    calls.run(tf.Prelu, { x: c, alpha: preluActivationWeights as tf.TensorInfo }),
  );
};

/** [b, h, w, c, oh, ow, kh, kw, sh, sw, top, bottom, left, right], as onednn.cc reads. */
function poolSizes(
  xShape: readonly number[],
  attrs: tf.MaxPoolAttrs | tf.MaxPoolGradAttrs,
): number[] | undefined {
  if (attrs.dimRoundingMode != null) return undefined;
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
  );
  const p = info.padInfo;
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    p.top,
    p.bottom,
    p.left,
    p.right,
  ];
}

/** y[b, i, j, c] = max over the window of x (padding never wins), on oneDNN's pooling. */
export const maxPool: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const sizes = poolSizes(x.shape, attrs as unknown as tf.MaxPoolAttrs);
  if (sizes === undefined || !floats(x)) return undefined;
  const heapBackend = backend as HeapBackend;
  const y = heapBackend.makeOutput([sizes[0], sizes[4], sizes[5], sizes[3]], 'float32');
  const params = new Float64Array([offsetOf(heapBackend, x), offsetOf(heapBackend, y), ...sizes]);
  return runOrRelease(heapBackend, y, () => addon.maxPool(heapOf(heapBackend), params));
};

/**
 * dx of max pooling: each window's dy goes to the position of its maximum (summed where
 * windows overlap). oneDNN re-runs the forward pass for its arg-max workspace, then scatters.
 */
export const maxPoolGrad: OneDnnKernel = (addon, { inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const sizes = poolSizes(input.shape, attrs as unknown as tf.MaxPoolGradAttrs);
  if (sizes === undefined || !floats(dy, input)) return undefined;
  if (dy.shape.join() !== [sizes[0], sizes[4], sizes[5], sizes[3]].join()) return undefined;
  const heapBackend = backend as HeapBackend;
  const dx = heapBackend.makeOutput([...input.shape], 'float32');
  const params = new Float64Array([
    offsetOf(heapBackend, input),
    offsetOf(heapBackend, dy),
    offsetOf(heapBackend, dx),
    ...sizes,
  ]);
  return runOrRelease(heapBackend, dx, () => addon.maxPoolGrad(heapOf(heapBackend), params));
};

/**
 * Below this many elements an elementwise op stays on wasm: the call into the addon and the
 * primitive lookup (~10 µs) cost more than XNNPACK's pass over a small tensor.
 */
const minElementwise = 1 << 16;

/**
 * c = a ∘ b (add, subtract, multiply) with tfjs's broadcasting, on oneDNN's binary primitive,
 * when the output has a's shape (or b's, for add and multiply, which commute): the other
 * operand is broadcast along its size-1 (or missing leading) axes. Used for the bias adds and
 * the gradients' products over the big activation maps.
 */
function binary(algorithm: 0 | 1 | 2): OneDnnKernel {
  return (addon, { inputs, backend }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!floats(a, b)) return undefined;
    const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (size(out) < minElementwise || out.length > 6) return undefined;
    const same = (s: readonly number[]) =>
      s.length === out.length && s.every((d, i) => d === out[i]);
    let [full, other] = [a, b];
    if (!same(a.shape)) {
      if (algorithm === 1 || !same(b.shape)) return undefined;
      [full, other] = [b, a];
    }
    const heapBackend = backend as HeapBackend;
    const padded = [...new Array(out.length - other.shape.length).fill(1), ...other.shape];
    const c = heapBackend.makeOutput([...out], 'float32');
    const params = new Float64Array([
      offsetOf(heapBackend, full),
      offsetOf(heapBackend, other),
      offsetOf(heapBackend, c),
      algorithm,
      out.length,
      ...out,
      ...padded,
    ]);
    return runOrRelease(heapBackend, c, () => addon.binary(heapOf(heapBackend), params));
  };
}

export const add = binary(0);
export const sub = binary(1);
export const multiply = binary(2);

/** y = max(x, 0) on oneDNN's eltwise primitive (threaded, AVX-512). */
export const relu: OneDnnKernel = (addon, { inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  if (!floats(x) || size(x.shape) < minElementwise) return undefined;
  const heapBackend = backend as HeapBackend;
  const y = heapBackend.makeOutput([...x.shape], 'float32');
  const params = new Float64Array([
    offsetOf(heapBackend, x),
    offsetOf(heapBackend, y),
    size(x.shape),
  ]);
  return runOrRelease(heapBackend, y, () => addon.relu(heapOf(heapBackend), params));
};
