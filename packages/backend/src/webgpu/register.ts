/** Registers Rectifier's WGSL kernels for `webgpu`; returns their names. */
export function registerWebGpuTrainingKernels(): string[] {
  return [];
}
