import * as tf from '@tensorflow/tfjs';

/**
 * The slice of tfjs-backend-wasm's `BackendWasm` our kernels touch. Typed structurally so the
 * package does not deep-import the wasm backend's internals.
 */
export interface WasmBackend extends tf.KernelBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  write(values: Float32Array, shape: number[], dtype: tf.DataType): tf.DataId;
}

export type KernelFn = (args: {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs?: tf.NamedAttrMap;
}) => tf.TensorInfo;

type MultiKernelFn = (args: Parameters<KernelFn>[0]) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Calls kernels of the wasm backend directly at backend level: no engine bookkeeping, no tape,
 * no tensors. Every TensorInfo it returns is owned by the caller, who must `release` it.
 */
export class WasmCalls {
  private readonly made: tf.TensorInfo[] = [];

  constructor(private readonly backend: WasmBackend) {}

  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo {
    return this.runWith(kernelOf(name), inputs, attrs);
  }

  runWith(kernel: KernelFn, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo {
    const out = kernel({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap });
    this.made.push(out);
    return out;
  }

  /** For kernels with several outputs; every output is owned by the caller. */
  runMany(name: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo[] {
    const kernel = kernelOf(name) as unknown as MultiKernelFn;
    const out = kernel({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap });
    const outs = Array.isArray(out) ? out : [out];
    this.made.push(...outs);
    return outs;
  }

  /** Takes ownership of a TensorInfo made elsewhere, so that `finish` frees it too. */
  adopt(info: tf.TensorInfo): tf.TensorInfo {
    this.made.push(info);
    return info;
  }

  /** A float32 scalar on the backend. */
  constant(value: number): tf.TensorInfo {
    const info = {
      dataId: this.backend.write(new Float32Array([value]), [], 'float32'),
      shape: [],
      dtype: 'float32' as const,
    };
    this.made.push(info);
    return info;
  }

  /** A small float32 tensor on the backend. */
  tensor(values: number[], shape: number[]): tf.TensorInfo {
    const info = {
      dataId: this.backend.write(new Float32Array(values), shape, 'float32'),
      shape,
      dtype: 'float32' as const,
    };
    this.made.push(info);
    return info;
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run(tf.Transpose, { x }, { perm });
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    const whole = x.shape.every((d, i) => begin[i] === 0 && size[i] === d);
    return whole ? x : this.run(tf.Slice, { x }, { begin, size });
  }

  /**
   * Frees every intermediate except `result`, which is handed to the engine. Reshapes share
   * data with their source through the backend's reference count, so disposing all of them is
   * always right.
   */
  finish(result: tf.TensorInfo): tf.TensorInfo {
    this.finishAll([result]);
    return result;
  }

  /** `finish` for kernels with several outputs. */
  finishAll(results: tf.TensorInfo[]): tf.TensorInfo[] {
    for (const info of this.made) {
      if (!results.includes(info)) this.backend.disposeData(info.dataId);
    }
    this.made.length = 0;
    return results;
  }
}

export function kernelOf(name: string): KernelFn {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) {
    throw new Error(
      `The wasm backend has no "${name}" kernel: Rectifier's training kernels are built on ` +
        `@tensorflow/tfjs-backend-wasm 4.22; install that version.`,
    );
  }
  return config.kernelFunc as unknown as KernelFn;
}
