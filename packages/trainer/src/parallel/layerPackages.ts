/**
 * The packages that register Rectifier's layer classes and kernels: every local worker imports
 * those installed before rebuilding the model, and `workerImports` suggests them for a typo.
 */
export const layerPackages = [
  '@rectifier/activations',
  '@rectifier/architectures',
  '@rectifier/backend',
] as const;
