import { listWebGpuAdapters } from '../selectBackend';
import { SWIFTSHADER_ENV } from '../webgpu/startWebGpu';

const adapters = await listWebGpuAdapters();

/**
 * Whether the `webgpu` engine's tests run: they need an adapter, which a machine without a GPU
 * has only with SwiftShader's Vulkan driver (CI sets the variables and RECTIFIER_REQUIRE_WEBGPU=1,
 * so there a missing adapter fails these tests instead of leaving them out).
 */
export const webGpuTests =
  (Array.isArray(adapters) && adapters.length > 0) || process.env.RECTIFIER_REQUIRE_WEBGPU === '1';

if (!webGpuTests) {
  const reason = adapters instanceof Error ? adapters.message : 'no adapter';
  console.warn(
    reason.includes(SWIFTSHADER_ENV)
      ? `WebGPU tests not run here: ${reason}.`
      : `WebGPU tests not run here (${reason}); to run them on the CPU: ${SWIFTSHADER_ENV} npx vitest run`,
  );
}
