import { needsSystemPackage } from '@rectifier/test-utils';
import { afterEach, beforeAll, vi } from 'vitest';
import { loadOneDnnAddon, type OneDnnAddon } from '../onednn/addon';
import { registerOneDnnKernels, setOneDnnEnabled } from '../onednn/register';

const loaded = loadOneDnnAddon();

/**
 * Whether the oneDNN engine's tests run. They need the addon, which `npm install` builds only
 * where oneDNN's headers are (the engine is optional: a machine without it still installs,
 * tests and trains on wasm; fallback.test.ts covers that machine). CI sets
 * RECTIFIER_REQUIRE_ONEDNN=1, so there a missing addon fails these tests instead of leaving them out.
 */
export const oneDnnTests = needsSystemPackage({
  tests: 'oneDNN engine tests',
  available: !(loaded instanceof Error),
  reason: loaded instanceof Error ? loaded.message : undefined,
  install: 'apt-get install libdnnl-dev, then npm install',
  requireEnv: 'RECTIFIER_REQUIRE_ONEDNN',
});

/**
 * The engine's tests' set-up: before them, the addon loaded (or the error thrown, when
 * `oneDnnTests` demands it), its kernels registered, one thread; after each, the engine off
 * and one thread again. Returns the addon (for spies and thread counts) once loaded.
 */
export function useOneDnnAddon(): () => OneDnnAddon {
  let addon: OneDnnAddon | undefined;
  beforeAll(() => {
    if (!oneDnnTests) return;
    const found = loadOneDnnAddon();
    if (found instanceof Error) throw found;
    addon = found;
    registerOneDnnKernels(addon);
    addon.setThreads(1);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    setOneDnnEnabled(false);
    addon?.setThreads(1);
  });
  return () => {
    if (addon === undefined) throw new Error('the oneDNN addon is not loaded');
    return addon;
  };
}
