import * as tf from '@tensorflow/tfjs';
import { convGeometry } from './convGeometry';
import { type KernelFn, WasmCalls } from './kernelCalls';

/**
 * dW for a 2-D convolution on the wasm backend, which ships no `Conv2DBackpropFilter`
 * (tfjs issue 8474), computed as one forward convolution on XNNPACK:
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − pad, ow·s + kw − pad, ci] · dy[b, oh, ow, co]
 *
 * is a convolution of x seen as [ci, H, W, b] with dy seen as a [OH, OW, b, co] filter, stride 1
 * and dilation s. The batch becomes the reduction axis, so each indirection fetches b contiguous
 * floats. Output comes out as [ci, KH, KW, co] and is transposed to tfjs's [KH, KW, ci, co].
 */
export const conv2DBackpropFilter: KernelFn = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const g = convGeometry(x.shape, filterShape, strides, pad, dataFormat, dimRoundingMode);
  const calls = new WasmCalls(backend);

  const xT = calls.transpose(x, [3, 1, 2, 0]);
  const dyT = calls.transpose(dy, [1, 2, 0, 3]);
  // Rows the forward pass never read (valid padding with a stride that does not divide) would
  // need a negative pad; pad with zero instead and cut the extra output rows afterwards.
  const bottom = g.kh + (g.oh - 1) * g.sh - g.h - g.top;
  const right = g.kw + (g.ow - 1) * g.sw - g.w - g.left;
  const conv = calls.run(
    tf.Conv2D,
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [g.top, Math.max(0, bottom)],
        [g.left, Math.max(0, right)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [g.sh, g.sw],
    },
  );
  const cropped = calls.slice(conv, [0, 0, 0, 0], [g.ci, g.kh, g.kw, g.co]);
  return calls.finish(calls.transpose(cropped, [1, 2, 0, 3]));
};
