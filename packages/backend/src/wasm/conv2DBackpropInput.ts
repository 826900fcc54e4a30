import * as tf from '@tensorflow/tfjs';
import { convGeometry } from './convGeometry';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * dx for a 2-D convolution on the wasm backend, replacing its scalar C++ loop (~15× the forward
 * conv) with one XNNPACK convolution: the full correlation of dy with the filter rotated by 180°
 * and its channel axes swapped,
 *
 *   dx[b, h, w, ci] = Σ_{kh, kw, co} dy⁺[b, h + kh − t, w + kw − l, co] · W[KH−1−kh, KW−1−kw, ci, co]
 *
 * with t = KH − 1 − pad_top. For stride s > 1, dy⁺ is dy with s − 1 zeros inserted between rows
 * and columns, which costs s² the useful work; Rectifier's models only stride their first conv,
 * whose input gradient is never needed, so the simple form is kept.
 */
export const conv2DBackpropInput: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const g = convGeometry(inputShape, filter.shape, strides, pad, dataFormat, dimRoundingMode);
  const calls = new WasmCalls(backend);

  const rotated = calls.transpose(
    calls.run(tf.Reverse, { x: filter }, { dims: [0, 1] }),
    [0, 1, 3, 2],
  );
  let spread = dy;
  if (g.sh > 1 || g.sw > 1) {
    const holes = calls.run(
      tf.PadV2,
      { x: calls.reshape(dy, [g.b, g.oh, 1, g.ow, 1, g.co]) },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, g.sh - 1],
          [0, 0],
          [0, g.sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    spread = calls.reshape(holes, [g.b, g.oh * g.sh, g.ow * g.sw, g.co]);
  }
  const top = g.kh - 1 - g.top;
  const left = g.kw - 1 - g.left;
  const bottom = g.h + g.kh - 1 - spread.shape[1] - top;
  const right = g.w + g.kw - 1 - spread.shape[2] - left;
  const conv = calls.run(
    tf.Conv2D,
    { x: spread, filter: rotated },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [Math.max(0, top), Math.max(0, bottom)],
        [Math.max(0, left), Math.max(0, right)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  );
  const result = calls.slice(
    conv,
    [0, Math.max(0, top) - top, Math.max(0, left) - left, 0],
    [g.b, g.h, g.w, g.ci],
  );
  return calls.finish(result);
};
