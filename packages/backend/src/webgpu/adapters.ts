/**
 * The part of the WebGPU API Rectifier uses to find an adapter. Declared here rather than taken
 * from @webgpu/types so that the package's types do not depend on an optional peer.
 */
export interface GpuAdapterInfoLike {
  vendor: string;
  architecture: string;
  device?: string;
  description: string;
  /** Newer browsers and Dawn: true for a software (fallback) adapter. */
  isFallbackAdapter?: boolean;
}

export interface GpuAdapterLike {
  info: GpuAdapterInfoLike;
  /** Older browsers put the flag on the adapter itself. */
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
}

export interface GpuLike {
  requestAdapter(options?: {
    powerPreference?: 'high-performance' | 'low-power';
    forceFallbackAdapter?: boolean;
  }): Promise<GpuAdapterLike | null>;
}

/** An adapter as `selectBackend` and `listWebGpuAdapters` report it. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** SwiftShader, lavapipe or another CPU implementation: right answers, CPU speed. */
  software: boolean;
}

// Software Vulkan/WebGPU implementations: Google's SwiftShader (Chromium, Dawn), Mesa's lavapipe
// and llvmpipe, Microsoft's WARP. They run on the CPU, so `auto` must never take one for a GPU.
const softwareNames = /swiftshader|lavapipe|llvmpipe|softpipe|microsoft basic render|\bwarp\b/i;

/** Whether an adapter runs on the CPU, from its info (`isFallbackAdapter` alone is not enough:
 * Dawn sets it for SwiftShader, but a browser may expose a software adapter without it). */
export function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  const info = adapter.info;
  if (info.isFallbackAdapter === true || adapter.isFallbackAdapter === true) return true;
  return [info.vendor, info.architecture, info.device ?? '', info.description].some((field) =>
    softwareNames.test(field),
  );
}

export function describeAdapter(adapter: GpuAdapterLike): WebGpuAdapterInfo {
  const { vendor, architecture, description } = adapter.info;
  return { vendor, architecture, description, software: isSoftwareAdapter(adapter) };
}

/**
 * The distinct adapters a page or Dawn will hand out. WebGPU has no enumeration: each
 * `requestAdapter` returns one, chosen by `powerPreference`, so on a laptop the two preferences
 * can give the discrete and the integrated GPU, and on most machines both give the same one.
 * The order (high-performance first) is what `RECTIFIER_GPU` indexes.
 */
export async function requestAdapters(gpu: GpuLike): Promise<GpuAdapterLike[]> {
  const found: GpuAdapterLike[] = [];
  for (const powerPreference of ['high-performance', 'low-power'] as const) {
    const adapter = await gpu.requestAdapter({ powerPreference });
    if (adapter === null) continue;
    const key = (a: GpuAdapterLike) =>
      JSON.stringify([a.info.vendor, a.info.architecture, a.info.device, a.info.description]);
    if (!found.some((a) => key(a) === key(adapter))) found.push(adapter);
  }
  return found;
}

/**
 * Which adapter this process trains on: `RECTIFIER_GPU` when set (an index into
 * `requestAdapters`' list), else the node-local rank that mpirun/srun/torchrun-style launchers
 * export, else 0; taken modulo the number of adapters, so with one adapter every rank uses it.
 */
export function adapterIndex(env: Record<string, string | undefined>, count: number): number {
  const given =
    env.RECTIFIER_GPU ??
    env.OMPI_COMM_WORLD_LOCAL_RANK ??
    env.SLURM_LOCALID ??
    env.MPI_LOCALRANKID ??
    env.LOCAL_RANK;
  const index = given === undefined || given === '' ? 0 : Number(given);
  if (!Number.isInteger(index) || index < 0) return -1;
  return count === 0 ? 0 : index % count;
}
