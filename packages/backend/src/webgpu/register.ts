import * as tf from '@tensorflow/tfjs';
import { SppGrad } from '../kernelNames';
import { maxPoolGrad } from './maxPoolGrad';
import { sppGrad } from './sppGrad';

const replacements: { name: string; kernelFunc: tf.KernelFunc }[] = [
  { name: tf.MaxPoolGrad, kernelFunc: maxPoolGrad as unknown as tf.KernelFunc },
  { name: SppGrad, kernelFunc: sppGrad as unknown as tf.KernelFunc },
];

/**
 * Registers Rectifier's WGSL kernels on tfjs-backend-webgpu: a `MaxPoolGrad` that routes tied
 * maxima as cpu does (replacing its own), and SPP's input gradient (`SppGrad`), which
 * @rectifier/architectures otherwise computes from a synchronous read webgpu cannot do. Call after tfjs-backend-webgpu is imported (its import
 * registers its kernels); idempotent; returns the kernel names.
 */
export function registerWebGpuTrainingKernels(): string[] {
  for (const { name, kernelFunc } of replacements) {
    if (tf.getKernel(name, 'webgpu')?.kernelFunc === kernelFunc) continue;
    if (tf.getKernel(name, 'webgpu') !== undefined) tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc });
  }
  return replacements.map((r) => r.name);
}
