import type * as tf from '@tensorflow/tfjs';
import type { KernelFn, WasmBackend } from '../wasm/kernelCalls';
import type { OneDnnAddon } from './addon';
import { type LayoutName, type LayoutValues, pack } from './layouts';

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

type Field<K extends LayoutName> = typeof import('./layouts').layouts[K][number];

/**
 * One call of the addon's `kernel`: fresh float32 outputs of the given shapes, the call packed
 * by name from the tensors' heap offsets (an absent optional input is -1) and the other
 * values, the heap read after the last allocation. The outputs come back in the order given;
 * they are freed when the addon throws.
 */
export function callAddon<K extends LayoutName>(
  addon: OneDnnAddon,
  backend: HeapBackend,
  kernel: K,
  call: {
    inputs: Partial<Record<Field<K>, tf.TensorInfo | undefined>>;
    outputs: Partial<Record<Field<K>, readonly number[]>>;
    values?: Partial<LayoutValues<K>>;
    rest?: readonly number[];
  },
): tf.TensorInfo[] {
  const offsets: Record<string, number> = {};
  for (const [name, info] of Object.entries(call.inputs) as [string, tf.TensorInfo | undefined][]) {
    offsets[name] = info === undefined ? -1 : offsetOf(backend, info);
  }
  const made = (Object.entries(call.outputs) as [string, readonly number[]][]).map(
    ([name, shape]) => {
      const info = backend.makeOutput([...shape], 'float32');
      offsets[name] = offsetOf(backend, info);
      return info;
    },
  );
  const params = pack(kernel, { ...call.values, ...offsets } as LayoutValues<K>, call.rest);
  try {
    (addon[kernel] as (heap: ArrayBuffer, params: Float64Array) => void)(heapOf(backend), params);
  } catch (error) {
    for (const info of made) backend.disposeData(info.dataId);
    throw error;
  }
  return made;
}
