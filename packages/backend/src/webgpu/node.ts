import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { GpuAdapterLike, GpuLike } from './adapters';
import {
  requestTfjsDevice,
  SWIFTSHADER_ENV,
  WEBGPU_INSTALL,
  type WebGpuEngine,
} from './startWebGpu';

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: object;
}
interface TfjsWebGpuModule {
  WebGPUBackend: new (device: unknown, adapterInfo: unknown) => tf.KernelBackend;
}

let dawn: GpuLike | undefined;
let running: { key: string; factory: () => tf.KernelBackend } | undefined;

// Dynamic imports by a variable keep bundlers and tsup from resolving the optional peers.
const load = (specifier: string): Promise<unknown> => import(specifier);

/**
 * Whether the dynamic loader can find Vulkan's loader, which Dawn opens on Linux. Checked first
 * because Dawn, lacking it, prints a warning to stderr from every process that merely tries
 * (each `auto` selection on a machine without a GPU).
 */
function vulkanLoaderFound(env: NodeJS.ProcessEnv): boolean {
  const name = 'libvulkan.so.1';
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  if (dirs.some((d) => existsSync(join(d, name)))) return true;
  try {
    // ldconfig's cache lists every library the loader finds in the system's directories.
    return readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return [
      '/usr/lib/x86_64-linux-gnu',
      '/usr/lib/aarch64-linux-gnu',
      '/usr/lib64',
      '/usr/lib',
    ].some((d) => existsSync(join(d, name)));
  }
}

/** Dawn's GPU object, created once and exposed as `navigator.gpu`, which tfjs checks for. */
async function dawnGpu(): Promise<GpuLike | Error> {
  if (dawn !== undefined) return dawn;
  if (process.platform === 'linux' && !vulkanLoaderFound(process.env)) {
    return new Error(
      "no Vulkan loader (libvulkan.so.1): install the GPU's Vulkan driver (and libvulkan1); " +
        `to test on the CPU with SwiftShader, set ${SWIFTSHADER_ENV}`,
    );
  }
  let mod: DawnModule;
  try {
    mod = (await load('webgpu')) as DawnModule;
  } catch (cause) {
    return new Error(`the webgpu package (Dawn for Node) is not installed: ${WEBGPU_INSTALL}`, {
      cause,
    });
  }
  // GPUBufferUsage, GPUMapMode, … are globals in a browser; tfjs-backend-webgpu uses them so.
  Object.assign(globalThis, mod.globals);
  dawn = mod.create([]);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', {
      value: {},
      configurable: true,
      writable: true,
    });
  }
  Object.defineProperty(g.navigator, 'gpu', { value: dawn, configurable: true });
  return dawn;
}

/**
 * Registers tfjs's `webgpu` backend on the chosen adapter (tfjs's own factory always takes the
 * high-performance one) and activates it. Asking again for the same adapter keeps the running
 * backend and its tensors.
 */
async function activate(adapter: GpuAdapterLike): Promise<{ version: string } | Error> {
  let mod: TfjsWebGpuModule;
  try {
    mod = (await load('@tensorflow/tfjs-backend-webgpu')) as TfjsWebGpuModule;
  } catch (cause) {
    return new Error(`@tensorflow/tfjs-backend-webgpu is not installed: ${WEBGPU_INSTALL}`, {
      cause,
    });
  }
  const { vendor, architecture, device, description } = adapter.info;
  const key = JSON.stringify([vendor, architecture, device, description]);
  if (running?.key !== key || tf.findBackendFactory('webgpu') !== running.factory) {
    const gpuDevice = await requestTfjsDevice(adapter);
    const factory = () => new mod.WebGPUBackend(gpuDevice, adapter.info);
    if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', factory, 3);
    running = { key, factory };
  }
  if (!(await tf.setBackend('webgpu'))) return new Error('the tfjs webgpu backend failed to start');
  return { version: tf.version_core };
}

/** The `webgpu` engine in Node: Dawn's binding (the `webgpu` package) under tfjs-backend-webgpu. */
export const nodeWebGpu: WebGpuEngine = { gpu: dawnGpu, activate, env: process.env };
