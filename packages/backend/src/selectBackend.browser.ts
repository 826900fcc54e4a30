import {
  type BackendInfo,
  chooseBackend,
  type ModuleLoader,
  type SelectBackendOptions,
} from './backendChoice';
import { browserDefaultThreads, registerBrowserThreads } from './wasm/browserThreads';
import { wasmThreads } from './wasm/threadCount';
import type { WebGpuAdapterInfo } from './webgpu/adapters';
import { browserWebGpu } from './webgpu/browser';
import { listAdapters } from './webgpu/startWebGpu';

// tfjs-node and tfjs-node-gpu are Node addons: a page never has them, so `auto` goes straight
// on to wasm and `tensorflow` fails with BackendUnavailableError.
const browserLoader: ModuleLoader = (specifier) =>
  Promise.reject(new Error(`${specifier} is a Node.js addon and cannot load in a browser`));

/**
 * selectBackend for browser bundles (the package's `browser` export condition): the same
 * choices, with tfjs-backend-wasm's own thread pool (more than one thread needs a cross-origin
 * isolated page). For `webgpu`, import @tensorflow/tfjs-backend-webgpu in the page first. Call `setWasmPaths` from @tensorflow/tfjs-backend-wasm first when the .wasm
 * files are not served next to the bundle.
 */
export function selectBackend(
  options: SelectBackendOptions = {},
  load: ModuleLoader = browserLoader,
): Promise<BackendInfo> {
  return chooseBackend(
    options,
    load,
    {
      register: registerBrowserThreads,
      count: wasmThreads,
      defaultCount: browserDefaultThreads,
    },
    { webgpu: browserWebGpu },
  );
}

/**
 * The WebGPU adapters this process can use, high-performance first (the order `RECTIFIER_GPU`
 * indexes), each marked `software` when it computes on the CPU; an Error saying what is missing
 * when WebGPU is unavailable. `rectifier info` prints this list.
 */
export function listWebGpuAdapters(): Promise<WebGpuAdapterInfo[] | Error> {
  return listAdapters(browserWebGpu);
}
