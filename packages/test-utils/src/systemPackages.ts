import { existsSync } from 'node:fs';

/** An optional system package some tests need (Chromium, oneDNN, Open MPI). */
export interface SystemPackageNeed {
  /** The tests that need it, for the line: `oneDNN engine tests`. */
  tests: string;
  /** Whether it is usable here. */
  available: boolean;
  /** Why not, when known (the loader's message). */
  reason?: string;
  /** The command that enables them: `apt-get install libdnnl-dev, then npm install`. */
  install: string;
  /** The variable CI sets to `1` so that a missing package fails the tests instead. */
  requireEnv: `RECTIFIER_REQUIRE_${string}`;
}

/**
 * Whether tests that need an optional system package run here. The packages are optional for
 * users (a machine without them installs, tests and trains), so on such a machine their tests
 * are left out with ONE line saying what and how to enable them; CI installs every package and
 * sets `requireEnv=1`, so there a missing one fails the tests instead of hiding them.
 */
export function needsSystemPackage(need: SystemPackageNeed): boolean {
  if (need.available || process.env[need.requireEnv] === '1') return true;
  const why = need.reason ? ` (${need.reason})` : '';
  console.warn(
    `skipped: ${need.tests}${why}. To run them: ${need.install} (CI sets ${need.requireEnv}=1).`,
  );
  return false;
}

/** Debian's Chromium, or the binary named by CHROMIUM (the browser and report checks use it). */
export function chromiumPath(): string {
  return process.env.CHROMIUM ?? '/usr/bin/chromium';
}

/** Whether the report tests that open pages in headless Chromium run here. */
export function chromiumTests(tests: string): boolean {
  const path = chromiumPath();
  return needsSystemPackage({
    tests,
    available: existsSync(path),
    reason: `no Chromium at ${path}; CHROMIUM names another binary`,
    install: 'apt-get install chromium',
    requireEnv: 'RECTIFIER_REQUIRE_CHROMIUM',
  });
}

/** The two variables that give Dawn SwiftShader's Vulkan driver (Debian's chromium package). */
export const SWIFTSHADER_ENV =
  'LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Whether tests that need a WebGPU adapter run here, given `listWebGpuAdapters()`' answer
 * (@rectifier/backend's, passed in: this package cannot depend on backend, whose tests use it).
 * A machine without a GPU has one only with SwiftShader; CI sets RECTIFIER_REQUIRE_WEBGPU=1.
 */
export function webGpuTests(tests: string, adapters: readonly unknown[] | Error): boolean {
  return needsSystemPackage({
    tests,
    available: Array.isArray(adapters) && adapters.length > 0,
    // The first clause only: backend's message goes on to give the same advice as `install`.
    reason: adapters instanceof Error ? adapters.message.split(';')[0] : 'no WebGPU adapter',
    install: `${SWIFTSHADER_ENV} npx vitest run (SwiftShader, on the CPU), or a GPU's Vulkan driver`,
    requireEnv: 'RECTIFIER_REQUIRE_WEBGPU',
  });
}
