import { loadOneDnnAddon } from '../onednn/addon';

const loaded = loadOneDnnAddon();

/**
 * Whether the oneDNN engine's tests run. They need the addon, which `npm install` builds only
 * where oneDNN's headers are (the engine is optional: a machine without it still installs,
 * tests and trains on wasm). CI sets RECTIFIER_REQUIRE_ONEDNN=1, so there a missing addon fails
 * these tests instead of leaving them out.
 */
export const oneDnnTests =
  !(loaded instanceof Error) || process.env.RECTIFIER_REQUIRE_ONEDNN === '1';

if (!oneDnnTests) {
  console.warn(
    `oneDNN engine tests not run here (${loaded instanceof Error ? loaded.message : ''}); ` +
      'fallback.test.ts covers this machine. Install libdnnl-dev and re-run npm install to run them.',
  );
}
