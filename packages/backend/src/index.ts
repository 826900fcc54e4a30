export { BackendArgumentError, BackendError, BackendUnavailableError } from './errors';
export type {
  BackendInfo,
  BackendPreference,
  ModuleLoader,
  SelectBackendOptions,
} from './selectBackend';
export { selectBackend } from './selectBackend';
export { registerWasmTrainingKernels, wasmTrainingKernels } from './wasm/register';
