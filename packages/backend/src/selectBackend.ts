import * as tf from '@tensorflow/tfjs';
import { BackendArgumentError, BackendUnavailableError, checkOptionKeys, received } from './errors';
import { registerWasmTrainingKernels } from './wasm/register';
import { registerThreadedWasm, wasmThreads } from './wasm/threadedWasm';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface SelectBackendOptions {
  /** Which backend to use. `auto` (default) takes the fastest that loads on this machine. */
  prefer?: BackendPreference;
  /**
   * Threads for the wasm backend's XNNPACK pool (default 1). tfjs-backend-wasm never runs
   * threaded in Node on its own; Rectifier loads its pthreads build so that it can. Choose it
   * in the first call: the thread count is fixed once the wasm backend has started. Leave it at
   * 1 when running one worker process per core (multi-device training).
   */
  threads?: number;
}

export interface BackendInfo {
  /** tfjs backend name, as `tf.getBackend()` reports it. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  device: 'gpu' | 'cpu';
  /** The npm package that provides the backend. */
  package: string;
  version: string;
  threads: number;
  /** Kernels Rectifier registered for this backend (wasm only). */
  trainingKernels: string[];
}

/** How a native tfjs package is loaded; replaced in tests to play a machine that has one. */
export type ModuleLoader = (specifier: string) => Promise<{ version?: unknown }>;

const nativePackages = [
  { package: '@tensorflow/tfjs-node-gpu', device: 'gpu' },
  { package: '@tensorflow/tfjs-node', device: 'cpu' },
] as const;

const defaultLoader: ModuleLoader = (specifier) => import(specifier);

/**
 * Chooses and activates a tfjs backend. `auto` tries, in order, tfjs-node-gpu (CUDA), tfjs-node
 * (oneDNN), wasm with Rectifier's training kernels, then the pure-JS cpu backend. A backend
 * asked for by name that cannot load raises `BackendUnavailableError` naming what to install.
 */
export async function selectBackend(
  options: SelectBackendOptions = {},
  load: ModuleLoader = defaultLoader,
): Promise<BackendInfo> {
  checkOptionKeys(options, ['prefer', 'threads'], 'selectBackend');
  const prefer = options.prefer ?? 'auto';
  const threads = options.threads ?? 1;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(prefer)) {
    throw new BackendArgumentError(
      `Unknown backend ${received(prefer)}: for a GPU install @tensorflow/tfjs-node-gpu and use ` +
        `"tensorflow"; otherwise use one of: auto, tensorflow, wasm, cpu.`,
    );
  }
  if (!Number.isInteger(threads) || threads < 1) {
    throw new BackendArgumentError(
      `Argument \`threads\` must be a positive integer. Received: threads=${received(threads)}.`,
    );
  }

  if (prefer === 'auto' || prefer === 'tensorflow') {
    const failures: unknown[] = [];
    for (const native of nativePackages) {
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
          };
        }
      } catch (error) {
        failures.push(error);
      }
    }
    if (prefer === 'tensorflow') {
      throw new BackendUnavailableError(
        'tensorflow',
        await availableBackends(),
        'install @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU), or use one of: wasm, cpu',
        { cause: failures },
      );
    }
  }

  if (prefer === 'auto' || prefer === 'wasm') {
    const trainingKernels = registerWasmTrainingKernels();
    registerThreadedWasm(threads);
    if (await tf.setBackend('wasm')) {
      return {
        name: 'wasm',
        device: 'cpu',
        package: '@tensorflow/tfjs-backend-wasm',
        version: tf.version_core,
        threads: wasmThreads(),
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
