import type * as tf from '@tensorflow/tfjs';
import type { KernelFn, WasmBackend } from './kernelCalls';

interface RefCountedBackend extends WasmBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * Replaces the wasm backend's `Identity`, which copies its input. tfjs runs it far more often
 * than user code suggests: while a gradient tape is recording, the engine clones every tensor a
 * kernel saves for its backward pass, ~190 clones (15 ms of memcpy) per small-net training step.
 * Tensor data is immutable in tfjs (no kernel writes into an input), so, like the cpu backend's
 * `Identity` and wasm's own `Reshape`, the output shares the input's buffer by reference count.
 */
export function sharedIdentity(original: KernelFn): KernelFn {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    (args.backend as RefCountedBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/**
 * Replaces the wasm backend's `Cast`, which copies even when the dtype does not change. Autodiff
 * casts to the dtype a tensor already has on every ReLU gradient (`dy · cast(step(x), float32)`):
 * 21 copies and 3 ms of a small-net ReLU step on wasm's one thread. As the cpu backend's `Cast`
 * does, a cast to the same dtype shares the buffer; real conversions go to wasm's kernel.
 */
export function sameDtypeCast(original: KernelFn): KernelFn {
  const share = sharedIdentity(original);
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    return x.dtype === dtype ? share(args) : original(args);
  };
}
