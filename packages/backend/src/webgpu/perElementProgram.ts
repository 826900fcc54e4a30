import type * as tf from '@tensorflow/tfjs';

/** The slice of tfjs-backend-webgpu's `WebGPUBackend` a Rectifier kernel calls. */
export interface WebGpuBackendLike {
  runWebGPUProgram(
    program: object,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniformData: { type: 'int32' | 'float32'; data: number[] }[],
  ): tf.TensorInfo;
}

const workgroupSize = [64, 1, 1] as const;

/**
 * A tfjs-backend-webgpu program with one invocation per element of an NHWC output the shape of
 * its first input: a flat dispatch and the `main(index)` its shader prelude calls, which gets
 * the element's `b, r, c, k` (batch, row, column, channel) and must `setOutputAtIndex`.
 * tfjs generates `getX`, `getDy`, … for `variableNames` and `uniforms.xShape`, ….
 */
export abstract class PerElementProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  workgroupSize = [...workgroupSize];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];

  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((p, d) => p * d, 1) / workgroupSize[0]), 1, 1];
  }

  /** WGSL declarations before `main` (constants, private arrays). */
  protected declarations(): string {
    return '';
  }

  /** WGSL body of `main` for element (b, r, c, k). */
  protected abstract body(): string;

  getUserCode(): string {
    return `
      ${this.declarations()}
      fn main(index : i32) {
        if (index >= uniforms.size) {
          return;
        }
        let coords = getCoordsFromIndex(index);
        let b = coords[0];
        let r = coords[1];
        let c = coords[2];
        let k = coords[3];
        ${this.body()}
      }
    `;
  }
}
