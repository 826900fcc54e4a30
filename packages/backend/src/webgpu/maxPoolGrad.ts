import * as tf from '@tensorflow/tfjs';
import { PerElementProgram, type WebGpuBackendLike } from './perElementProgram';

/** One invocation per input element: the windows that cover it, and their first maxima. */
class MaxPoolGradProgram extends PerElementProgram {
  variableNames = ['x', 'dy'];
  uniforms = 'strides : vec2<i32>, pads : vec2<i32>, filterDims : vec2<i32>,';
  shaderKey = 'rectifierMaxPoolGradFirstMaximum';

  protected body(): string {
    return `
        let s = uniforms.strides;
        let f = uniforms.filterDims;
        // Windows whose rows cover r: i·s - top ≤ r < i·s - top + f.
        let iFirst = max(0, (r + uniforms.pads.x - f.x + s.x) / s.x);
        let iLast = min(uniforms.dyShape[1] - 1, (r + uniforms.pads.x) / s.x);
        let jFirst = max(0, (c + uniforms.pads.y - f.y + s.y) / s.y);
        let jLast = min(uniforms.dyShape[2] - 1, (c + uniforms.pads.y) / s.y);
        var sum = 0.0;
        for (var i = iFirst; i <= iLast; i++) {
          for (var j = jFirst; j <= jLast; j++) {
            // The window's first maximum in row-major order (strict >), as tfjs's cpu backend
            // and PyTorch route it; tfjs-backend-webgpu's own kernel takes the last (>=).
            var best = -uniforms.INFINITY;
            var at = vec2<i32>(-1, -1);
            for (var u = 0; u < f.x; u++) {
              let rr = i * s.x - uniforms.pads.x + u;
              if (rr < 0 || rr >= uniforms.xShape[1]) {
                continue;
              }
              for (var v = 0; v < f.y; v++) {
                let cc = j * s.y - uniforms.pads.y + v;
                if (cc < 0 || cc >= uniforms.xShape[2]) {
                  continue;
                }
                let value = getX(b, rr, cc, k);
                if (value > best) {
                  best = value;
                  at = vec2<i32>(rr, cc);
                }
              }
            }
            if (at.x == r && at.y == c) {
              sum += getDy(b, i, j, k);
            }
          }
        }
        setOutputAtIndex(index, sum);
    `;
  }
}

/**
 * `MaxPoolGrad` on webgpu: dx[b, r, c, d] = Σ dy[b, i, j, d] over the windows (i, j) whose first
 * maximum is at (r, c). Gathered per input element, so overlapping windows need no atomics.
 * tfjs-backend-webgpu 4.22 routes a window with tied maxima to its last one, so a net with
 * ReLU zeros or repeated values before a pool got different gradients than on cpu.
 */
export function maxPoolGrad(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } =
    args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const program = new MaxPoolGradProgram(input.shape);
  return (args.backend as WebGpuBackendLike).runWebGPUProgram(program, [input, dy], input.dtype, [
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.filterHeight, info.filterWidth] },
  ]);
}
