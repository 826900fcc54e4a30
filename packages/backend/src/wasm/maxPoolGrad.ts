import * as tf from '@tensorflow/tfjs';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * Replaces the wasm backend's `MaxPoolGrad`, which is wrong in tfjs 4.22: its window search
 * starts from `numeric_limits<float>::min()` (the smallest positive float, not the lowest), so a
 * window whose values are all ≤ 0 — common after PReLU — routes its gradient to the wrong place.
 * `MaxPoolWithArgmax` shares the flaw, so it is run on x − min(x) + 1, which keeps the order of
 * the values and makes them all positive; dy is then scattered (summed, for overlapping windows)
 * onto the arg-max positions. Ties go to the last maximum where the cpu backend takes the first;
 * values closer than one float step of (x − min(x)) count as ties.
 */
export const maxPoolGrad: KernelFn = (args) => {
  const { filterSize, strides, pad, dimRoundingMode } =
    args.attrs as unknown as tf.MaxPoolGradAttrs;
  const [kh, kw] = pair(filterSize);
  const [sh, sw] = pair(strides);
  const tiled = kh === sh && kw === sw && (pad === 'valid' || pad === 0) && dimRoundingMode == null;
  return tiled && args.inputs.output !== undefined
    ? tiledMaxPoolGrad(args)
    : argmaxMaxPoolGrad(args);
};

/**
 * Windows that tile the map (stride = window, no padding: every pooling layer of the paper's
 * nets, and SPP levels that divide the map) need no arg-max search. With the map seen as
 * [b, oh, kh, ow, kw, c] and the pooled output y broadcast over each window:
 *   hit  = relu(1 − ceil(y − x))             1 where x is its window's maximum, else 0 (y − x ≥ 0)
 *   code = hit · (position in window + 1)    the last maximum has the largest code
 *   dx   = relu(1 − (maxPool(code) − code)) · dy
 * Every step is one of XNNPACK's vectorised kernels (subtract, ceiling, relu, multiply with
 * broadcasting, max pooling), 2–3× faster than the arg-max search; ties go to the last maximum,
 * as below.
 */
const tiledMaxPoolGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, input, output } = inputs as Record<'dy' | 'input' | 'output', tf.TensorInfo>;
  const { filterSize } = attrs as unknown as tf.MaxPoolGradAttrs;
  const [kh, kw] = pair(filterSize);
  const [b, h, w, c] = input.shape;
  const [, oh, ow] = dy.shape;
  const calls = new WasmCalls(backend);
  const one = calls.constant(1);
  const windows = [b, oh, kh, ow, kw, c];
  const perWindow = [b, oh, 1, ow, 1, c];
  const x = calls.reshape(calls.slice(input, [0, 0, 0, 0], [b, oh * kh, ow * kw, c]), windows);
  const y = calls.reshape(output, perWindow);
  const hit = calls.run(tf.Relu, {
    x: calls.run(tf.Sub, {
      a: one,
      b: calls.run(tf.Ceil, { x: calls.run(tf.Sub, { a: y, b: x }) }),
    }),
  });
  const position = Array.from({ length: kh * kw }, (_, i) => i + 1);
  const code = calls.run(tf.Multiply, { a: hit, b: calls.tensor(position, [1, 1, kh, 1, kw, 1]) });
  const last = calls.run(
    tf.MaxPool,
    { x: calls.reshape(code, [b, oh * kh, ow * kw, c]) },
    { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid' },
  );
  const chosen = calls.run(tf.Relu, {
    x: calls.run(tf.Sub, {
      a: one,
      b: calls.run(tf.Sub, { a: calls.reshape(last, perWindow), b: code }),
    }),
  });
  let dx = calls.reshape(calls.run(tf.Multiply, { a: chosen, b: calls.reshape(dy, perWindow) }), [
    b,
    oh * kh,
    ow * kw,
    c,
  ]);
  if (oh * kh !== h || ow * kw !== w) {
    const paddings = [
      [0, 0],
      [0, h - oh * kh],
      [0, w - ow * kw],
      [0, 0],
    ];
    dx = calls.run(tf.PadV2, { x: dx }, { paddings, constantValue: 0 });
  }
  return calls.finish(dx);
};

const argmaxMaxPoolGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const calls = new WasmCalls(backend);
  const size = input.shape.reduce((p, d) => p * d, 1);
  const axes = input.shape.map((_, i) => i);
  const low = calls.run(tf.Min, { x: input }, { axis: axes, keepDims: false });
  const one = calls.constant(1);
  const shifted = calls.run(tf.Add, {
    a: calls.run(tf.Sub, { a: input, b: low }),
    b: one,
  });
  const [, argmax] = calls.runMany(
    tf.MaxPoolWithArgmax,
    { x: shifted },
    { filterSize, strides, pad, includeBatchInIndex: true },
  );
  if (argmax.shape.join() !== dy.shape.join()) {
    calls.finish(argmax);
    backend.disposeData(argmax.dataId);
    throw new Error(
      `MaxPoolGrad on wasm: pooling ${input.shape} gives ${argmax.shape} but dy is ${dy.shape} ` +
        `(dimRoundingMode="${dimRoundingMode}" is not supported here); use 'same'/'valid' padding.`,
    );
  }
  const scattered = calls.run(
    tf.ScatterNd,
    { indices: calls.reshape(argmax, [-1, 1]), updates: calls.reshape(dy, [-1]) },
    { shape: [size] },
  );
  return calls.finish(calls.reshape(scattered, input.shape));
};

function pair(v: number | [number, number]): [number, number] {
  return Array.isArray(v) ? v : [v, v];
}
