import { needsSystemPackage } from '@rectifier/test-utils';
import { loadOneDnnAddon } from '../onednn/addon';

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
