import { received } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { markCpuChosen } from './cpuTrainingWarning';
import { BackendArgumentError, BackendUnavailableError, checkOptionKeys } from './errors';
import { registerWasmTrainingKernels } from './wasm/register';
import type { WebGpuAdapterInfo } from './webgpu/adapters';
import { startWebGpu, type WebGpuEngine } from './webgpu/startWebGpu';

export type BackendPreference = 'auto' | 'tensorflow' | 'webgpu' | 'onednn' | 'wasm' | 'cpu';

export interface SelectBackendOptions {
  /** Which backend to use. `auto` (default) takes the fastest that loads on this machine. */
  prefer?: BackendPreference;
  /**
   * Threads. With `onednn`: the size of oneDNN's OpenMP pool, which runs the convolutions,
   * products and pooling (wasm then runs the rest on one thread). With `wasm`: the wasm
   * backend's XNNPACK pool. tfjs-backend-wasm never runs threaded in Node on its own; Rectifier
   * loads its pthreads build so that it can. Choose it in the first call: the thread count is
   * fixed once the wasm backend has started. Default: every core this process may use
   * (`os.availableParallelism()`) in Node — or, once the wasm backend runs, its pool's size;
   * 1 in a browser page unless it is cross-origin isolated (`navigator.hardwareConcurrency`
   * then). Pass 1 when running one worker process per core (multi-device training).
   */
  threads?: number;
  /**
   * With `prefer: 'webgpu'`: also accept a software adapter (SwiftShader, lavapipe), which runs
   * on the CPU — for correctness checks on machines without a GPU. `auto` never takes one.
   */
  allowSoftwareAdapter?: boolean;
}

export interface BackendInfo {
  /**
   * tfjs backend name, as `tf.getBackend()` reports it; `onednn` is the wasm backend with
   * Rectifier's oneDNN kernels (`tf.getBackend()` says `wasm`).
   */
  name: 'tensorflow' | 'webgpu' | 'onednn' | 'wasm' | 'cpu';
  /** Where the arithmetic runs: `cpu` for a software WebGPU adapter too. */
  device: 'gpu' | 'cpu';
  /** The npm package that provides the backend. */
  package: string;
  version: string;
  threads: number;
  /** Kernels Rectifier registered for this backend (wasm and onednn). */
  trainingKernels: string[];
  /** With `onednn`: the kernels that run on oneDNN (the rest of `trainingKernels` on wasm). */
  onednnKernels?: string[];
  /** With `webgpu`: the adapter it runs on. */
  adapter?: WebGpuAdapterInfo;
}

/** How a native tfjs package is loaded; replaced in tests to play a machine that has one. */
export type ModuleLoader = (specifier: string) => Promise<{ version?: unknown }>;

const nativePackages = [
  { package: '@tensorflow/tfjs-node-gpu', device: 'gpu' },
  { package: '@tensorflow/tfjs-node', device: 'cpu' },
] as const;

/**
 * How the wasm backend gets its thread pool on this platform: in Node, Rectifier's loader of the
 * pthreads build (threadedWasm.ts); in a browser, tfjs-backend-wasm's own (browserThreads.ts).
 */
export interface WasmThreading {
  /** Called before the wasm backend first starts; throws when `threads` cannot be had. */
  register(threads: number): void;
  /** Threads the running wasm backend's pool really has. */
  count(): number;
  /**
   * `threads` when the caller gives none: every core the process may use, or the running
   * pool's size once the wasm backend has started (its pool cannot be resized then).
   */
  defaultCount(): number;
}

/** The oneDNN engine's start and stop (onednn/select.ts); Node only, absent in a browser. */
export interface OneDnnEngine {
  /** `threads` undefined: every core the process may use (OpenMP's pool can be resized). */
  start(
    threads: number | undefined,
  ): Promise<
    { version: string; threads: number; trainingKernels: string[]; onednnKernels: string[] } | Error
  >;
  stop(): void;
}

/** The engines a platform has besides wasm and cpu; absent ones are reported unavailable. */
export interface Engines {
  onednn?: OneDnnEngine;
  webgpu?: WebGpuEngine;
}

const preferences = ['auto', 'tensorflow', 'webgpu', 'onednn', 'wasm', 'cpu'];

/** selectBackend's body, shared by the Node and the browser entry (they differ in threading). */
export async function chooseBackend(
  options: SelectBackendOptions,
  load: ModuleLoader,
  threading: WasmThreading,
  engines: Engines = {},
): Promise<BackendInfo> {
  checkOptionKeys(options, ['prefer', 'threads', 'allowSoftwareAdapter'], 'selectBackend');
  const prefer = options.prefer ?? 'auto';
  const threads = options.threads;
  const allowSoftware = options.allowSoftwareAdapter ?? false;
  const { onednn, webgpu } = engines;
  if (!preferences.includes(prefer)) {
    throw new BackendArgumentError(
      `Unknown backend ${received(prefer)}: for a GPU install @tensorflow/tfjs-node-gpu and use ` +
        `"tensorflow", or webgpu and @tensorflow/tfjs-backend-webgpu and use "webgpu"; ` +
        `otherwise use one of: ${preferences.join(', ')}.`,
    );
  }
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new BackendArgumentError(
      `Argument \`threads\` must be a positive integer. Received: threads=${received(threads)}.`,
    );
  }
  if (typeof allowSoftware !== 'boolean') {
    throw new BackendArgumentError(
      `Argument \`allowSoftwareAdapter\` must be a boolean. Received: ` +
        `allowSoftwareAdapter=${received(allowSoftware)}.`,
    );
  }

  // tfjs-node-gpu first: where it installs (CUDA 11.2, cuDNN 8.1) it uses cuDNN's convolutions.
  const failures: unknown[] = [];
  const tryNative = async (native: (typeof nativePackages)[number]) => {
    try {
      const mod = await load(native.package);
      if (await tf.setBackend('tensorflow')) {
        return {
          name: 'tensorflow',
          device: native.device,
          package: native.package,
          version: typeof mod.version === 'object' ? versionOf(mod.version) : String(mod.version),
          threads: 0,
          trainingKernels: [],
        } satisfies BackendInfo;
      }
    } catch (error) {
      failures.push(error);
    }
    return null;
  };
  if (prefer === 'auto' || prefer === 'tensorflow') {
    const gpu = await tryNative(nativePackages[0]);
    if (gpu !== null) return gpu;
  }

  if (prefer === 'auto' || prefer === 'webgpu') {
    const started = webgpu
      ? await startWebGpu(webgpu, prefer === 'webgpu' && allowSoftware)
      : new Error('this platform has no WebGPU engine');
    if (!(started instanceof Error)) {
      return {
        name: 'webgpu',
        device: started.adapter.software ? 'cpu' : 'gpu',
        package: '@tensorflow/tfjs-backend-webgpu',
        version: started.version,
        threads: 0,
        trainingKernels: started.trainingKernels,
        adapter: started.adapter,
      };
    }
    if (prefer === 'webgpu') {
      throw new BackendUnavailableError('webgpu', await availableBackends(), started.message, {
        cause: started,
      });
    }
  }

  if (prefer === 'auto' || prefer === 'tensorflow') {
    const cpu = await tryNative(nativePackages[1]);
    if (cpu !== null) return cpu;
    if (prefer === 'tensorflow') {
      throw new BackendUnavailableError(
        'tensorflow',
        await availableBackends(),
        'install @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU), or use one of: wasm, cpu',
        { cause: failures },
      );
    }
  }

  if (prefer === 'auto' || prefer === 'onednn') {
    const started = onednn
      ? await onednn.start(threads)
      : new Error('the oneDNN engine is a native addon and runs in Node only');
    if (!(started instanceof Error)) {
      return { name: 'onednn', device: 'cpu', package: '@rectifier/backend', ...started };
    }
    if (prefer === 'onednn') {
      throw new BackendUnavailableError('onednn', await availableBackends(), started.message, {
        cause: started,
      });
    }
  }
  onednn?.stop();

  if (prefer === 'auto' || prefer === 'wasm') {
    const trainingKernels = registerWasmTrainingKernels();
    threading.register(threads ?? threading.defaultCount());
    if (await tf.setBackend('wasm')) {
      return {
        name: 'wasm',
        device: 'cpu',
        package: '@tensorflow/tfjs-backend-wasm',
        version: tf.version_core,
        threads: threading.count(),
        trainingKernels,
      };
    }
    if (prefer === 'wasm') {
      throw new BackendUnavailableError(
        'wasm',
        await availableBackends(),
        'WebAssembly failed to initialise; check that @tensorflow/tfjs-backend-wasm is installed with its .wasm files, or use cpu',
      );
    }
  }

  markCpuChosen();
  if (!(await tf.setBackend('cpu'))) {
    throw new BackendUnavailableError('cpu', [], 'the @tensorflow/tfjs cpu backend failed');
  }
  return {
    name: 'cpu',
    device: 'cpu',
    package: '@tensorflow/tfjs-backend-cpu',
    version: tf.version_core,
    threads: 1,
    trainingKernels: [],
  };
}

function versionOf(version: unknown): string {
  const record = version as Record<string, unknown>;
  return String(record['tfjs-node'] ?? record['tfjs-core'] ?? JSON.stringify(version));
}

/** Backends registered with tfjs that are not the native one (which needs a package). */
async function availableBackends(): Promise<string[]> {
  const names = ['wasm', 'cpu'].filter((name) => tf.findBackendFactory(name) !== null);
  return names;
}
