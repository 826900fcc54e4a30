import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fastBatchMatMul } from './batchMatMul';
import { comparisonKernels, fastBroadcastCompare } from './broadcastCompare';
import { conv2DBackpropFilter } from './conv2DBackpropFilter';
import { conv2DBackpropInput } from './conv2DBackpropInput';
import type { KernelFn } from './kernelCalls';
import { maxPoolGrad } from './maxPoolGrad';
import { poolReduce } from './poolReduce';
import { fastSlice } from './slice';

interface Replacement {
  name: string;
  /** Receives the wasm backend's own kernel of that name, if it has one. */
  make: (original: KernelFn | undefined) => KernelFn;
}

const replacements: Replacement[] = [
  { name: tf.Conv2DBackpropFilter, make: () => conv2DBackpropFilter },
  { name: tf.Conv2DBackpropInput, make: () => conv2DBackpropInput },
  { name: tf.MaxPoolGrad, make: () => maxPoolGrad },
  {
    name: tf.BatchMatMul,
    make: (original) => {
      if (original === undefined) throw new Error('The wasm backend has no BatchMatMul kernel.');
      return fastBatchMatMul(original);
    },
  },
  {
    name: tf.Slice,
    make: (original) => {
      if (original === undefined) throw new Error('The wasm backend has no Slice kernel.');
      return fastSlice(original);
    },
  },
  ...(['max', 'sum'] as const).map((kind) => ({
    name: kind === 'max' ? tf.Max : tf.Sum,
    make: (original: KernelFn | undefined) => {
      if (original === undefined) throw new Error(`The wasm backend has no ${kind} kernel.`);
      return poolReduce(kind, original);
    },
  })),
  ...comparisonKernels.map((name) => ({
    name,
    make: (original: KernelFn | undefined) => {
      if (original === undefined) throw new Error(`The wasm backend has no ${name} kernel.`);
      return fastBroadcastCompare(original);
    },
  })),
];

let registered: string[] | undefined;

/**
 * Registers Rectifier's training kernels on the wasm backend: the missing
 * `Conv2DBackpropFilter`, faster `Conv2DBackpropInput`, transposed `BatchMatMul`, `Slice`,
 * `Max`/`Sum` over middle axes and broadcast comparisons, and a correct `MaxPoolGrad`, all built from wasm's own kernels (XNNPACK convolution, matmul,
 * transpose, arg-max pooling, scatter). Idempotent; returns the
 * kernel names. Call it before or after the wasm backend is initialised.
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
