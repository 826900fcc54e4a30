import * as tf from '@tensorflow/tfjs';
import { type KernelFn, kernelOf, type WasmBackend } from './kernelCalls';

type Numbers = Float32Array | Int32Array | Uint8Array;

interface HeapBackend extends WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Numbers;
}

/**
 * Replaces the wasm backend's `Slice`, which starts by copying the whole input out of the wasm
 * heap (`readSync`) to cut a piece of it: slicing 4 K floats from a 200 K-float tensor costs a
 * 200 K copy. Reading through a heap view instead makes slicing proportional to the piece. Contiguous runs are copied
 * with `TypedArray.set` (a memcpy), as the original does after its copy.
 */
export function fastSlice(original: KernelFn): KernelFn {
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as HeapBackend;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const { begin, size } = attrs as unknown as tf.SliceAttrs;
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const out = backend.makeOutput(extent, x.dtype);
    // Views are taken after makeOutput: an allocation may grow (and detach) the heap.
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    copyBox(from, x.shape, start, extent, to);
    return out;
  };
}

/**
 * Replaces the wasm backend's `SplitV` (`tf.split`, and the gradient of every `concat`), which
 * calls wasm's own slice function directly, so each piece copied the whole input first: an
 * SPP layer's backward pass split [32, 6400] into its levels and bins that way. Each piece is
 * now cut by the registered `Slice` (the one above).
 */
export function fastSplitV(original: KernelFn): KernelFn {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const along = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along);
    const slice = kernelOf(tf.Slice);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[along] = s;
      const piece = slice({
        inputs: { x },
        backend: args.backend,
        attrs: { begin: [...begin], size },
      });
      begin[along] += s;
      return piece;
    }) as unknown as tf.TensorInfo;
  };
}

/** Copies the box [start, start + extent) of a row-major array of `shape` into `to`. */
function copyBox(
  from: Numbers,
  shape: number[],
  start: number[],
  extent: number[],
  to: Numbers,
): void {
  const rank = shape.length;
  if (rank === 0 || extent.some((d) => d === 0)) {
    if (rank === 0) to.set(from.subarray(0, 1));
    return;
  }
  const strides = tf.util.computeStrides(shape);
  // Merge the trailing axes the box spans whole into one contiguous run.
  let inner = rank - 1;
  let run = extent[inner];
  while (inner > 0 && extent[inner] === shape[inner] && start[inner] === 0) {
    inner--;
    run *= extent[inner];
  }
  const index = new Array<number>(inner).fill(0);
  let written = 0;
  for (;;) {
    let offset = start[inner] * (inner < rank - 1 ? strides[inner] : 1);
    for (let d = 0; d < inner; d++) offset += (start[d] + index[d]) * strides[d];
    to.set(from.subarray(offset, offset + run), written);
    written += run;
    let d = inner - 1;
    while (d >= 0 && ++index[d] === extent[d]) index[d--] = 0;
    if (d < 0) return;
  }
}
