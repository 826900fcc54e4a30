import * as tf from '@tensorflow/tfjs';
import * as names from '../kernelNames';
import type { KernelFn } from '../wasm/kernelCalls';
import { registerWasmTrainingKernels } from '../wasm/register';
import type { OneDnnAddon } from './addon';
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput, fusedConv2D } from './convolution';
import { add, leakyRelu, multiply, relu, reluGrad, step, sub } from './elementwise';
import { addressableHeap, type OneDnnKernel } from './heap';
import { batchMatMul, fusedMatMul } from './matMul';
import { maxPool, maxPoolGrad } from './pooling';
import { prelu, preluGrad } from './prelu';
import { sgdUpdate } from './sgd';
import { sppGrad, sppMaxPool } from './spp';

const kernels: [string, OneDnnKernel][] = [
  [tf.Conv2D, conv2D],
  [tf.FusedConv2D, fusedConv2D],
  [tf.Conv2DBackpropInput, conv2DBackpropInput],
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter],
  [tf.BatchMatMul, batchMatMul],
  [tf._FusedMatMul, fusedMatMul],
  [tf.MaxPool, maxPool],
  [tf.MaxPoolGrad, maxPoolGrad],
  [tf.Add, add],
  [tf.Sub, sub],
  [tf.Multiply, multiply],
  [tf.Relu, relu],
  [tf.LeakyRelu, leakyRelu],
  [tf.Step, step],
  [names.ReluGrad, reluGrad],
  [tf.Prelu, prelu],
  [names.PreluGrad, preluGrad],
  [names.SgdUpdate, sgdUpdate],
  [names.SppMaxPool, sppMaxPool],
  [names.SppGrad, sppGrad],
];

let engine: OneDnnAddon | undefined;
let enabled = false;

/**
 * Puts oneDNN's kernels on the wasm backend, each wrapping the kernel registered there before
 * (Rectifier's wasm training kernel or wasm's own), which runs instead while the engine is
 * switched off, for calls oneDNN does not take (see kernels.ts), and on a threaded wasm build
 * (its SharedArrayBuffer heap cannot be addressed from Node-API). Idempotent; returns the names.
 */
export function registerOneDnnKernels(addon: OneDnnAddon): string[] {
  if (engine === undefined) {
    // First, so that a later registerWasmTrainingKernels() (a no-op then) cannot replace ours.
    registerWasmTrainingKernels();
    for (const [name, kernel] of kernels) {
      const config = tf.getKernel(name, 'wasm');
      if (config === undefined) {
        throw new Error(
          `The wasm backend has no "${name}" kernel for oneDNN to wrap: Rectifier's engine is ` +
            'built for @tensorflow/tfjs-backend-wasm 4.22; install that version.',
        );
      }
      const previous = config.kernelFunc as unknown as KernelFn;
      tf.unregisterKernel(name, 'wasm');
      const kernelFunc = (args: Parameters<KernelFn>[0]) =>
        (enabled && addressableHeap(args.backend) ? run(addon, kernel, args) : undefined) ??
        previous(args);
      tf.registerKernel({
        kernelName: name,
        backendName: 'wasm',
        setupFunc: config.setupFunc,
        kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      });
    }
    engine = addon;
  }
  return [...oneDnnKernelNames];
}

/** A oneDNN kernel, or `undefined` (run the previous kernel) when oneDNN has no code for it. */
function run(
  addon: OneDnnAddon,
  kernel: OneDnnKernel,
  args: Parameters<KernelFn>[0],
): ReturnType<OneDnnKernel> {
  try {
    return kernel(addon, args);
  } catch (error) {
    if ((error as { status?: number }).status === addon.unimplementedStatus) return undefined;
    throw error;
  }
}

/** Switches the registered oneDNN kernels on (selectBackend 'onednn') or off ('wasm'). */
export function setOneDnnEnabled(on: boolean): void {
  enabled = on && engine !== undefined;
}

/** Every kernel the engine registers, whether it is on or not. */
export const oneDnnKernelNames: readonly string[] = kernels.map(([name]) => name);

/** Names of the kernels running on oneDNN now (empty while the engine is off). */
export function oneDnnKernels(): string[] {
  return enabled ? [...oneDnnKernelNames] : [];
}
