import * as tf from '@tensorflow/tfjs';
import type { GpuAdapterLike, GpuLike } from './adapters';
import type { WebGpuEngine } from './startWebGpu';

/**
 * The `webgpu` engine in a page: the browser's `navigator.gpu` under tfjs-backend-webgpu, which
 * the page imports itself (`import '@tensorflow/tfjs-backend-webgpu'`). The browser entry does
 * not import the optional peer, so bundles without it still build.
 */
export const browserWebGpu: WebGpuEngine = {
  async gpu() {
    const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
    return gpu ?? new Error('this browser exposes no WebGPU (navigator.gpu is missing)');
  },
  async activate(adapter: GpuAdapterLike) {
    if (tf.findBackendFactory('webgpu') === null) {
      return new Error(
        "import '@tensorflow/tfjs-backend-webgpu' in the page before selectBackend (the " +
          'browser entry leaves the optional peer to the bundle)',
      );
    }
    // tfjs's factory asks for the high-performance adapter unless told otherwise.
    const highPerformance = await (
      globalThis as unknown as { navigator: { gpu: GpuLike } }
    ).navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    tf.env().set(
      'WEBGPU_USE_LOW_POWER_GPU',
      highPerformance?.info.description !== adapter.info.description ||
        highPerformance?.info.architecture !== adapter.info.architecture,
    );
    if (!(await tf.setBackend('webgpu')))
      return new Error('the tfjs webgpu backend failed to start');
    return { version: tf.version_core };
  },
  env: {},
};
