import './register';

export { CPU_TRAINING_WARNING } from './cpuTrainingWarning';
export { BackendArgumentError, BackendError, BackendUnavailableError } from './errors';
export type {
  BackendInfo,
  BackendPreference,
  ModuleLoader,
  SelectBackendOptions,
} from './selectBackend';
export { selectBackend } from './selectBackend';
export { registerWasmTrainingKernels, wasmTrainingKernels } from './wasm/register';
