import { webGpuTests as needsWebGpu } from '@rectifier/test-utils';
import { listWebGpuAdapters } from '../selectBackend';

/**
 * Whether the `webgpu` engine's tests run: they need an adapter, which a machine without a GPU
 * has only with SwiftShader's Vulkan driver (CI sets the variables and RECTIFIER_REQUIRE_WEBGPU=1,
 * so there a missing adapter fails these tests instead of leaving them out).
 */
export const webGpuTests = needsWebGpu('webgpu engine tests', await listWebGpuAdapters());
