import type * as tf from '@tensorflow/tfjs';
import type { SppAttrs } from '../kernelNames';
import { PerElementProgram, type WebGpuBackendLike } from './perElementProgram';

const wgslArray = (type: string, values: string[]) =>
  `array<${type}, ${values.length}>(${values.join(', ')})`;

/**
 * One invocation per input element (b, r, c, k): for every bin of every level that covers (r, c)
 * — bins may overlap — find the bin's first maximum (row-major, strict >, starting from the
 * bin's first pixel as the CPU routing does) and add the bin's dy if it is (r, c). Gathering
 * per element needs no float atomics, which WGSL lacks. The edges are baked into the shader
 * (one pipeline per pyramid and map size, cached by tfjs under `shaderKey`).
 */
class SppGradProgram extends PerElementProgram {
  variableNames = ['x', 'dy'];
  shaderKey: string;

  constructor(
    inShape: number[],
    private readonly attrs: SppAttrs,
  ) {
    super(inShape);
    this.shaderKey = `rectifierSppGrad_${JSON.stringify(attrs)}`;
  }

  protected override declarations(): string {
    const { levels, rowEdges, colEdges } = this.attrs;
    const pairs = (edges: number[]) =>
      Array.from(
        { length: edges.length / 2 },
        (_, i) => `vec2<i32>(${edges[2 * i]}, ${edges[2 * i + 1]})`,
      );
    // Where each level's bins start in the edge lists, and its features in a dy row (÷ C).
    const binStart: number[] = [];
    const featureStart: number[] = [];
    let bins = 0;
    let features = 0;
    for (const n of levels) {
      binStart.push(bins);
      featureStart.push(features);
      bins += n;
      features += n * n;
    }
    const ints = (values: number[]) => values.map((v) => `${v}`);
    return `
      var<private> LEVELS : array<i32, ${levels.length}> = ${wgslArray('i32', ints(levels))};
      var<private> BIN_START : array<i32, ${levels.length}> = ${wgslArray('i32', ints(binStart))};
      var<private> FEATURE_START : array<i32, ${levels.length}> = ${wgslArray('i32', ints(featureStart))};
      var<private> ROWS : array<vec2<i32>, ${bins}> = ${wgslArray('vec2<i32>', pairs(rowEdges))};
      var<private> COLS : array<vec2<i32>, ${bins}> = ${wgslArray('vec2<i32>', pairs(colEdges))};

    `;
  }

  protected body(): string {
    const { levels } = this.attrs;
    return `
        let channels = uniforms.xShape[3];
        var sum = 0.0;
        for (var l = 0; l < ${levels.length}; l++) {
          let n = LEVELS[l];
          for (var i = 0; i < n; i++) {
            let rows = ROWS[BIN_START[l] + i];
            if (r < rows.x || r >= rows.y) {
              continue;
            }
            for (var j = 0; j < n; j++) {
              let cols = COLS[BIN_START[l] + j];
              if (c < cols.x || c >= cols.y) {
                continue;
              }
              var best = -uniforms.INFINITY;
              var at = vec2<i32>(rows.x, cols.x);
              for (var rr = rows.x; rr < rows.y; rr++) {
                for (var cc = cols.x; cc < cols.y; cc++) {
                  let value = getX(b, rr, cc, k);
                  if (value > best) {
                    best = value;
                    at = vec2<i32>(rr, cc);
                  }
                }
              }
              if (at.x == r && at.y == c) {
                sum += getDy(b, (FEATURE_START[l] + i * n + j) * channels + k);
              }
            }
          }
        }
        setOutputAtIndex(index, sum);
    `;
  }
}

/**
 * SPP's input gradient on webgpu: x [B, H, W, C], dy [B, C·Σ n²] (level-major, bin row-major,
 * channel) → dx [B, H, W, C], each bin's gradient on its first maximum (PyTorch's rule).
 */
export function sppGrad(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as SppAttrs;
  const program = new SppGradProgram(x.shape, attrs);
  return (args.backend as WebGpuBackendLike).runWebGPUProgram(program, [x, dy], x.dtype, []);
}
