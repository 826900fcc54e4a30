import * as tf from '@tensorflow/tfjs';

/** What the warning says; exported for tests and so the README can quote it. */
export const CPU_TRAINING_WARNING =
  '@rectifier/backend: a convnet is training on tfjs\'s pure-JS "cpu" backend, about 200× ' +
  'slower than "wasm" with Rectifier\'s training kernels, which is installed. Fix: ' +
  '`await selectBackend()` (from @rectifier/backend) before building the model. To stay on cpu ' +
  "on purpose, `await selectBackend({ prefer: 'cpu' })` (no warning).";

let installed = false;
let warned = false;
let chosen = false;

/**
 * Wraps the cpu backend's `Conv2DBackpropFilter` — a kernel that only runs when a convnet
 * trains — so that the first call warns once while the wasm backend is registered. A user who
 * imported this package but never chose a backend (or called `tf.setBackend('cpu')`) would
 * otherwise train at cpu speed with nothing saying why. Idempotent.
 */
export function installCpuTrainingWarning(warn: (message: string) => void = console.warn): void {
  if (installed) return;
  const original = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
  // No cpu backend (a custom tfjs bundle): nothing trains there, nothing to warn about.
  if (original === undefined) return;
  installed = true;
  tf.unregisterKernel(tf.Conv2DBackpropFilter, 'cpu');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      if (!warned && !chosen && tf.findBackendFactory('wasm') !== null) {
        warned = true;
        warn(CPU_TRAINING_WARNING);
      }
      return original.kernelFunc(args);
    },
  });
}

/**
 * Records that cpu was chosen through `selectBackend` (by name, or as the last resort when wasm
 * failed): the warning would then be wrong.
 */
export function markCpuChosen(): void {
  chosen = true;
}

/** For tests: forget that the warning was shown or cpu chosen. */
export function resetCpuTrainingWarning(): void {
  warned = false;
  chosen = false;
}
