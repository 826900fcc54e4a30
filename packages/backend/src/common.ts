// What index.ts (Node) and browser.ts export alike; they differ only in selectBackend.
export type {
  BackendInfo,
  BackendPreference,
  ModuleLoader,
  SelectBackendOptions,
} from './backendChoice';
export { CPU_TRAINING_WARNING } from './cpuTrainingWarning';
export { BackendArgumentError, BackendError, BackendUnavailableError } from './errors';
export { registerWasmTrainingKernels, wasmTrainingKernels } from './wasm/register';
export type { WebGpuAdapterInfo } from './webgpu/adapters';
