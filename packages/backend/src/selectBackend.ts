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

const defaultLoader: ModuleLoader = (specifier) => import(specifier);

/**
 * Chooses and activates a tfjs backend. `auto` tries, in order, tfjs-node-gpu (CUDA), tfjs-node
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
    { start: (threads) => startOneDnn(threads ?? availableParallelism()), stop: stopOneDnn },
  );
}
