import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnnAddon } from './addon';
import { addressableHeap } from './heap';
import {
  oneDnnKernelNames,
  oneDnnKernels,
  registerOneDnnKernels,
  setOneDnnEnabled,
} from './register';

/** What selectBackend reports for the engine. */
export interface OneDnnStart {
  version: string;
  threads: number;
  /** Kernels on oneDNN, then Rectifier's wasm training kernels they fall back to. */
  trainingKernels: string[];
  onednnKernels: string[];
}

/**
 * Starts wasm (its non-threaded build: XNNPACK on one thread for the light ops) with oneDNN's
 * kernels on `threads` OpenMP threads; returns why not when the addon is missing or the wasm
 * backend already runs threaded.
 */
export async function startOneDnn(threads: number): Promise<OneDnnStart | Error> {
  const addon = loadOneDnnAddon();
  if (addon instanceof Error) return addon;
  registerOneDnnKernels(addon);
  addon.setThreads(threads);
  if (!(await tf.setBackend('wasm'))) return new Error('the wasm backend failed to initialise');
  if (!addressableHeap(tf.backend() as never)) {
    return new Error(
      'the wasm backend already runs its threaded build, whose SharedArrayBuffer heap oneDNN ' +
        'cannot address: ask for "onednn" in the first selectBackend() call',
    );
  }
  setOneDnnEnabled(true);
  const wasmKernels = registerWasmTrainingKernels().filter((k) => !oneDnnKernelNames.includes(k));
  return {
    version: addon.version(),
    threads: addon.threads(),
    trainingKernels: [...oneDnnKernels(), ...wasmKernels],
    onednnKernels: oneDnnKernels(),
  };
}

/** Leaves the wasm backend to its own and Rectifier's wasm kernels. */
export function stopOneDnn(): void {
  setOneDnnEnabled(false);
}
