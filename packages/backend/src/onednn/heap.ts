import type * as tf from '@tensorflow/tfjs';
import type { KernelFn, WasmBackend } from '../wasm/kernelCalls';
import type { OneDnnAddon } from './addon';

/** The parts of tfjs-backend-wasm's `BackendWasm` that locate a tensor in the wasm heap. */
export interface HeapBackend extends WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * A kernel on oneDNN, or `undefined` when this call is one it does not take (another dtype or
 * layout, an activation oneDNN does not fuse here): the previous kernel then runs.
 */
export type OneDnnKernel = (
  addon: OneDnnAddon,
  args: Parameters<KernelFn>[0],
) => tf.TensorInfo | tf.TensorInfo[] | undefined;

/**
 * Byte offset of a tensor's data in the wasm heap. Offsets stay valid when the memory grows
 * (only the ArrayBuffer object is replaced), so they can be taken before outputs are allocated.
 */
export function offsetOf(backend: HeapBackend, info: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) {
    throw new Error(`oneDNN kernel: tensor of shape [${info.shape}] has no data on wasm.`);
  }
  return data.memoryOffset;
}

/**
 * The heap as it is now. Read it after the last allocation of a kernel: a malloc that grows
 * wasm's memory detaches the previous ArrayBuffer, and the addon must see the new one.
 */
export function heapOf(backend: HeapBackend): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

/** The engine only addresses the non-threaded build's heap (a plain ArrayBuffer). */
export function addressableHeap(backend: WasmBackend): boolean {
  const wasm = (backend as Partial<HeapBackend>).wasm;
  return wasm !== undefined && wasm.HEAPU8.buffer instanceof ArrayBuffer;
}

export const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Every given tensor is a non-empty float32 tensor. */
export const floats = (...infos: (tf.TensorInfo | undefined)[]) =>
  infos.every((i) => i === undefined || (i.dtype === 'float32' && size(i.shape) > 0));

/**
 * Below this many elements an elementwise op stays on wasm: the call into the addon and the
 * primitive lookup (~10 µs) cost more than XNNPACK's pass over a small tensor.
 */
export const minElementwise = 1 << 16;

/** Runs `call`, or frees the outputs it was to fill when the addon throws. */
export function runOrRelease<T extends tf.TensorInfo | tf.TensorInfo[]>(
  backend: HeapBackend,
  out: T,
  call: () => void,
): T {
  try {
    call();
  } catch (error) {
    for (const info of Array.isArray(out) ? out : [out]) backend.disposeData(info.dataId);
    throw error;
  }
  return out;
}
