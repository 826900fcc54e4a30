import { availableParallelism } from 'node:os';
import {
  type BackendInfo,
  chooseBackend,
  type ModuleLoader,
  type SelectBackendOptions,
} from './backendChoice';
import { startOneDnn, stopOneDnn } from './onednn/select';
import { wasmThreads } from './wasm/threadCount';
import { registerThreadedWasm, runningWasmThreads } from './wasm/threadedWasm';
import type { WebGpuAdapterInfo } from './webgpu/adapters';
import { nodeWebGpu } from './webgpu/node';
import { listAdapters } from './webgpu/startWebGpu';

const defaultLoader: ModuleLoader = (specifier) => import(specifier);

/**
 * Chooses and activates a tfjs backend. `auto` tries, in order, tfjs-node-gpu (CUDA), `webgpu`
 * (tfjs-backend-webgpu on Dawn, when the optional `webgpu` package is installed and a hardware
 * adapter is found; `RECTIFIER_GPU` or the launcher's local rank picks among several), tfjs-node
 * (TensorFlow's CPU build), `onednn` (wasm with Rectifier's oneDNN addon for convolutions,
 * products and pooling, when it was built at install), wasm with Rectifier's training kernels,
 * then the pure-JS cpu backend. A backend
 * asked for by name that cannot load raises `BackendUnavailableError` naming what to install.
 * Threads default to every core this process may use (`os.availableParallelism()`); the
 * `rectifier` CLI applies the same rule.
 */
export function selectBackend(
  options: SelectBackendOptions = {},
  load: ModuleLoader = defaultLoader,
): Promise<BackendInfo> {
  return chooseBackend(
    options,
    load,
    {
      register: registerThreadedWasm,
      count: wasmThreads,
      defaultCount: () => runningWasmThreads() ?? availableParallelism(),
    },
    {
      onednn: {
        start: (threads) => startOneDnn(threads ?? availableParallelism()),
        stop: stopOneDnn,
      },
      webgpu: nodeWebGpu,
    },
  );
}

/**
 * The WebGPU adapters this process can use, high-performance first (the order `RECTIFIER_GPU`
 * indexes), each marked `software` when it computes on the CPU; an Error saying what is missing
 * when WebGPU is unavailable. `rectifier info` prints this list.
 */
export function listWebGpuAdapters(): Promise<WebGpuAdapterInfo[] | Error> {
  return listAdapters(nodeWebGpu);
}
