import { received } from '@rectifier/core';
import { BackendArgumentError } from '../errors';
import {
  adapterIndex,
  describeAdapter,
  type GpuAdapterLike,
  type GpuLike,
  requestAdapters,
  type WebGpuAdapterInfo,
} from './adapters';
import { registerWebGpuTrainingKernels } from './register';

/** How the `webgpu` engine reaches WebGPU: Dawn in Node (node.ts), `navigator.gpu` in a page. */
export interface WebGpuEngine {
  /** The GPU object, or why there is none (package missing, browser without WebGPU). */
  gpu(): Promise<GpuLike | Error>;
  /** Makes tfjs's `webgpu` backend run on `adapter` and activates it; returns why not. */
  activate(adapter: GpuAdapterLike): Promise<{ version: string } | Error>;
  /** Where `RECTIFIER_GPU` and the launchers' local rank are read from. */
  env: Record<string, string | undefined>;
}

export const WEBGPU_INSTALL =
  'npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0 (optional peers of @rectifier/backend)';

/** The two variables that give Dawn SwiftShader's Vulkan driver on Debian/Ubuntu with chromium. */
export const SWIFTSHADER_ENV =
  'LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json';

export interface WebGpuStart {
  version: string;
  adapter: WebGpuAdapterInfo;
  trainingKernels: string[];
}

/**
 * Finds the adapter this process should train on and starts tfjs's `webgpu` backend on it.
 * A software adapter is skipped unless `allowSoftware`: it computes on the CPU, slower than the
 * wasm engine, so `auto` treating it as a GPU would be a silent slowdown.
 */
export async function startWebGpu(
  engine: WebGpuEngine,
  allowSoftware: boolean,
): Promise<WebGpuStart | Error> {
  const gpu = await engine.gpu();
  if (gpu instanceof Error) return gpu;
  const adapters = await requestAdapters(gpu);
  if (adapters.length === 0) {
    return new Error(
      'WebGPU found no adapter: it needs a GPU with a Vulkan driver (Linux), Metal (macOS) or ' +
        `D3D12 (Windows); to test on the CPU with SwiftShader, set ${SWIFTSHADER_ENV} and pass ` +
        'allowSoftwareAdapter: true',
    );
  }
  const usable = allowSoftware ? adapters : adapters.filter((a) => !describeAdapter(a).software);
  if (usable.length === 0) {
    const names = adapters.map((a) => describeAdapter(a).description || a.info.architecture);
    return new Error(
      `the only WebGPU adapter is a software one (${names.join(', ')}), which computes on the ` +
        'CPU; pass allowSoftwareAdapter: true to use it anyway (correctness checks), or install ' +
        "the GPU's Vulkan driver",
    );
  }
  const index = adapterIndex(engine.env, usable.length);
  if (index < 0) {
    throw new BackendArgumentError(
      `RECTIFIER_GPU must be a non-negative integer (the adapter's index). Received: ` +
        `RECTIFIER_GPU=${received(engine.env.RECTIFIER_GPU)}.`,
    );
  }
  const adapter = usable[index];
  const activated = await engine.activate(adapter);
  if (activated instanceof Error) return activated;
  return {
    version: activated.version,
    adapter: describeAdapter(adapter),
    trainingKernels: registerWebGpuTrainingKernels(),
  };
}

/**
 * The device tfjs-backend-webgpu's own factory asks for (base.ts), so that kernels that need
 * the adapter's larger limits (workgroup storage, buffer size) behave as they do there.
 */
export async function requestTfjsDevice(adapter: GpuAdapterLike): Promise<unknown> {
  const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) =>
    adapter.features.has(f),
  );
  const limits = adapter.limits;
  return adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
}

/** The adapters `engine` can reach, in `RECTIFIER_GPU` order, or why there are none. */
export async function listAdapters(engine: WebGpuEngine): Promise<WebGpuAdapterInfo[] | Error> {
  const gpu = await engine.gpu();
  if (gpu instanceof Error) return gpu;
  return (await requestAdapters(gpu)).map(describeAdapter);
}
