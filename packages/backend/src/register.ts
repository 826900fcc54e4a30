import { installCpuTrainingWarning } from './cpuTrainingWarning';
import { registerWasmTrainingKernels } from './wasm/register';

// Importing tfjs-backend-wasm (wasm/register.ts) makes wasm tfjs's highest-priority backend, so
// a plain `await tf.ready()` starts wasm: register the training kernels now, not only in
// selectBackend, so whatever tf.ready() picks can train a convnet.
registerWasmTrainingKernels();
installCpuTrainingWarning();
