// Builds the optional oneDNN engine (native/build/Release/rectifier_onednn.node) when a C++
// compiler and oneDNN's headers are present; otherwise prints one line and succeeds, so that
// `npm install` works everywhere and selectBackend() falls back to wasm.
//
// Runs as @rectifier/backend's install script. RECTIFIER_ONEDNN=0 skips the build.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// The shared helper: packed next to this file by `prepack`, else the repository's.
const packed = new URL('./addonBuild.mjs', import.meta.url);
const { buildAddon, probeCxxHeaders } = await import(
  existsSync(packed) ? packed : new URL('../../../tools/native/addonBuild.mjs', import.meta.url)
);

buildAddon({
  dir: dirname(fileURLToPath(import.meta.url)),
  name: '@rectifier/backend: oneDNN engine',
  skipVariable: 'RECTIFIER_ONEDNN',
  fallback: 'selectBackend() will use wasm',
  probe: () =>
    probeCxxHeaders(
      '#include <dnnl.hpp>\n',
      'oneDNN headers (dnnl.hpp) not found: apt-get install libdnnl-dev, or brew/conda onednn',
    ),
  built: '@rectifier/backend: oneDNN engine built (selectBackend() can use "onednn").',
});
