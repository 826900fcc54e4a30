import * as tf from '@tensorflow/tfjs';
import { type ConvGeometry, convGeometry } from './convGeometry';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * dx for a 2-D convolution on the wasm backend, replacing its scalar C++ loop (~10× the forward
 * conv) with one XNNPACK convolution.
 *
 * Stride 1: the full correlation of dy with the filter rotated by 180° and its channel axes
 * swapped,
 *
 *   dx[b, h, w, ci] = Σ_{kh, kw, co} dy[b, h + kh − t, w + kw − l, co] · W[KH−1−kh, KW−1−kw, ci, co]
 *
 * with t = KH − 1 − pad_top.
 *
 * Stride s > 1 (sub-pixel form): row h + pad_top = q·s + r of dx only meets taps kh ≡ r (mod s),
 * kh = r + m·s, through dy row q − m. So every phase r is a stride-1 correlation of dy with the
 * ⌈KH/s⌉-tap sub-filter W[r + m·s]; all s² phases go into one convolution as s²·ci output
 * channels, and a depth-to-space interleaves them. This matters because tfjs's fused conv computes
 * its input gradient eagerly, so a model's strided stem pays for the image's gradient every step.
 */
export const conv2DBackpropInput: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const g = convGeometry(inputShape, filter.shape, strides, pad, dataFormat, dimRoundingMode);
  const calls = new WasmCalls(backend);
  const result =
    g.sh === g.sw && g.sh > 1
      ? subPixel(calls, dy, filter, g)
      : correlate(calls, spreadOut(calls, dy, g), filter, g);
  return calls.finish(result);
};

/** Stride 1 (or unequal strides, after zero insertion): one full correlation, then a crop. */
function correlate(calls: WasmCalls, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry) {
  const rotated = calls.transpose(
    calls.run(tf.Reverse, { x: filter }, { dims: [0, 1] }),
    [0, 1, 3, 2],
  );
  const top = g.kh - 1 - g.top;
  const left = g.kw - 1 - g.left;
  const bottom = g.h + g.kh - 1 - dy.shape[1] - top;
  const right = g.w + g.kw - 1 - dy.shape[2] - left;
  const conv = calls.run(
    tf.Conv2D,
    { x: dy, filter: rotated },
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
  return calls.slice(
    conv,
    [0, Math.max(0, top) - top, Math.max(0, left) - left, 0],
    [g.b, g.h, g.w, g.ci],
  );
}

/** dy with s − 1 zeros between rows and columns (for unequal strides only: s² the work). */
function spreadOut(calls: WasmCalls, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  if (g.sh === 1 && g.sw === 1) return dy;
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
  return calls.reshape(holes, [g.b, g.oh * g.sh, g.ow * g.sw, g.co]);
}

function subPixel(calls: WasmCalls, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry) {
  const s = g.sh;
  const mh = Math.ceil(g.kh / s);
  const mw = Math.ceil(g.kw / s);
  // Sub-filters: W padded to whole s-blocks, taps grouped as (m, r), m reversed for the
  // correlation, then [m_h, m_w, co, (r_h, r_w, ci)].
  const blocks = calls.run(
    tf.PadV2,
    { x: filter },
    {
      paddings: [
        [0, mh * s - g.kh],
        [0, mw * s - g.kw],
        [0, 0],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  const flipped = calls.run(
    tf.Reverse,
    { x: calls.reshape(blocks, [mh, s, mw, s, g.ci, g.co]) },
    { dims: [0, 2] },
  );
  const phases = calls.reshape(calls.transpose(flipped, [0, 2, 5, 1, 3, 4]), [
    mh,
    mw,
    g.co,
    s * s * g.ci,
  ]);
  // Block rows q cover dx rows q·s − pad_top … ; enough of them to reach the last input row.
  const qh = Math.ceil((g.h + g.top) / s);
  const qw = Math.ceil((g.w + g.left) / s);
  const conv = calls.run(
    tf.Conv2D,
    { x: dy, filter: phases },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [mh - 1, Math.max(0, qh - g.oh)],
        [mw - 1, Math.max(0, qw - g.ow)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  );
  const blockRows = calls.slice(conv, [0, 0, 0, 0], [g.b, qh, qw, s * s * g.ci]);
  // Depth-to-space as one 4-D transpose ([b·q, q_w, r_h, (r_w, ci)] → [b·q, r_h, q_w, …]): wasm's
  // own DepthToSpace walks elements one by one and costs ~10× more.
  const interleaved = calls.transpose(
    calls.reshape(blockRows, [g.b * qh, qw, s, s * g.ci]),
    [0, 2, 1, 3],
  );
  const full = calls.reshape(interleaved, [g.b, qh * s, qw * s, g.ci]);
  return calls.slice(full, [0, g.top, g.left, 0], [g.b, g.h, g.w, g.ci]);
}
