import * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * Wraps the wasm backend's `Max` and `Sum`. They only reduce innermost axes, so any other
 * reduction first transposes the whole input: `max` over the rows of an NHWC map (SPP bins),
 * or the bias gradient `sum` over [batch, H, W], pay a full 4-D transpose (~5–18 ns/element).
 *
 * A contiguous run of reduced axes with kept axes on both sides is a pooling window instead:
 * x seen as [outer, run, 1, inner] and pooled with a [run, 1] window gives [outer, 1, 1, inner]
 * in one XNNPACK pass — max pooling for `Max`, average pooling × run for `Sum`. Reductions the
 * wasm kernel does without a transpose (innermost axes), other dtypes and other axis patterns
 * go to the original kernel.
 */
export function poolReduce(kind: 'max' | 'sum', original: KernelFn): KernelFn {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const { keepDims } = attrs as unknown as tf.SumAttrs;
    const axis =
      kind === 'max'
        ? (attrs as unknown as tf.MaxAttrs).reductionIndices
        : (attrs as unknown as tf.SumAttrs).axis;
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const contiguous = axes.length > 0 && last - first + 1 === axes.length;
    if (x.dtype !== 'float32' || !contiguous || last === rank - 1) {
      return original({ inputs, backend, attrs });
    }
    const product = (dims: number[]) => dims.reduce((p, d) => p * d, 1);
    const outer = product(x.shape.slice(0, first));
    const run = product(x.shape.slice(first, last + 1));
    const inner = product(x.shape.slice(last + 1));
    const kept = x.shape.filter((_, i) => i < first || i > last);
    const outShape = keepDims ? x.shape.map((d, i) => (i < first || i > last ? d : 1)) : kept;
    if (run <= 1 || outer * inner === 0) return original({ inputs, backend, attrs });

    const calls = new WasmCalls(backend);
    const pooled = calls.run(
      kind === 'max' ? tf.MaxPool : tf.AvgPool,
      { x: calls.reshape(x, [outer, run, 1, inner]) },
      { filterSize: [run, 1], strides: [run, 1], pad: 'valid' },
    );
    const result =
      kind === 'max' ? pooled : calls.run(tf.Multiply, { a: pooled, b: calls.constant(run) });
    return calls.finish(calls.reshape(result, outShape));
  };
}
