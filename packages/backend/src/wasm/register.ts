import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as names from '../kernelNames';
import { fastBatchMatMul, fastFusedMatMul } from './batchMatMul';
import { comparisonKernels, fastBroadcastCompare } from './broadcastCompare';
import { conv2DBackpropFilter } from './conv2DBackpropFilter';
import { conv2DBackpropInput } from './conv2DBackpropInput';
import { sameDtypeCast, sharedIdentity } from './identity';
import type { KernelFn } from './kernelCalls';
import { maxPoolGrad } from './maxPoolGrad';
import { poolReduce } from './poolReduce';
import { preluGrad } from './preluGrad';
import { reluGrad } from './reluGrad';
import { sgdUpdate } from './sgdUpdate';
import { fastSlice, fastSplitV } from './slice';
import { sppGrad, sppMaxPool } from './spp';

interface Replacement {
  name: string;
  /** Receives the wasm backend's own kernel of that name, if it has one. */
  make: (original: KernelFn | undefined) => KernelFn;
}

/** A replacement that wraps (and falls back to) the wasm backend's own kernel. */
function wrapping(name: string, wrap: (original: KernelFn) => KernelFn): Replacement {
  return {
    name,
    make: (original) => {
      if (original === undefined) {
        throw new Error(
          `The wasm backend has no "${name}" kernel to wrap: Rectifier's training kernels are ` +
            'built for @tensorflow/tfjs-backend-wasm 4.22; install that version.',
        );
      }
      return wrap(original);
    },
  };
}

const replacements: Replacement[] = [
  { name: tf.Conv2DBackpropFilter, make: () => conv2DBackpropFilter },
  { name: tf.Conv2DBackpropInput, make: () => conv2DBackpropInput },
  { name: tf.MaxPoolGrad, make: () => maxPoolGrad },
  wrapping(tf.BatchMatMul, fastBatchMatMul),
  wrapping(tf._FusedMatMul, fastFusedMatMul),
  wrapping(tf.Slice, fastSlice),
  wrapping(tf.SplitV, fastSplitV),
  wrapping(tf.Identity, sharedIdentity),
  wrapping(tf.Cast, sameDtypeCast),
  wrapping(tf.Max, (original) => poolReduce('max', original)),
  wrapping(tf.Sum, (original) => poolReduce('sum', original)),
  ...comparisonKernels.map((name) => wrapping(name, fastBroadcastCompare)),
  { name: names.PreluGrad, make: () => preluGrad },
  { name: names.ReluGrad, make: () => reluGrad },
  { name: names.SgdUpdate, make: () => sgdUpdate },
  { name: names.SppMaxPool, make: () => sppMaxPool },
  { name: names.SppGrad, make: () => sppGrad },
];

let registered: string[] | undefined;

/**
 * Registers Rectifier's training kernels on the wasm backend: the missing
 * `Conv2DBackpropFilter`; faster `Conv2DBackpropInput`, `BatchMatMul` (transposed operands, and
 * the dense forward with new weights), `_FusedMatMul`, `Slice`, `SplitV`, `Max`/`Sum` over
 * middle axes and broadcasting comparisons; a correct `MaxPoolGrad`; an `Identity` (and a `Cast` to
 * the same dtype) that shares its input's buffer instead of copying it; and under Rectifier's own names (kernelNames.ts)
 * the ReLU and PReLU gradients, the SGD update and spatial pyramid pooling both ways, each one kernel call. All are built from wasm's own
 * kernels (XNNPACK convolution, matmul, pooling, transpose, scatter).
 * Idempotent; returns the kernel names. Call it before or after the wasm backend starts.
 */
export function registerWasmTrainingKernels(): string[] {
  if (registered !== undefined) return [...registered];
  for (const { name, make } of replacements) {
    const original = tf.getKernel(name, 'wasm');
    if (original !== undefined) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      // The original's setup (cwrap of its C function) must still run when the backend
      // initialises after this call, since the replacement may delegate to it.
      setupFunc: original?.setupFunc,
      kernelFunc: make(original?.kernelFunc as KernelFn | undefined) as unknown as tf.KernelFunc,
    });
  }
  registered = replacements.map((r) => r.name);
  return [...registered];
}

/** Names of the kernels `registerWasmTrainingKernels` has registered (empty before the call). */
export function wasmTrainingKernels(): string[] {
  return registered === undefined ? [] : [...registered];
}
