// Builds the optional oneDNN engine (native/build/Release/rectifier_onednn.node) when a C++
// compiler and oneDNN's headers are present; otherwise prints one line and succeeds, so that
// `npm install` works everywhere and selectBackend() falls back to wasm.
//
// Runs as @rectifier/backend's install script. RECTIFIER_ONEDNN=0 skips the build.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// The shared helper: packed next to this file by `prepack`, else the repository's.
const packed = new URL('./addonBuild.mjs', import.meta.url);
const { buildAddon, preprocesses } = await import(
  existsSync(packed) ? packed : new URL('../../../tools/native/addonBuild.mjs', import.meta.url)
);

const cxx = process.env.CXX || 'c++';
buildAddon({
  dir: dirname(fileURLToPath(import.meta.url)),
  name: '@rectifier/backend: oneDNN engine',
  skipVariable: 'RECTIFIER_ONEDNN',
  fallback: 'selectBackend() will use wasm',
  probe: () => {
    const found = preprocesses(
      cxx,
      ['-x', 'c++', '-E', '-o', '/dev/null', '-'],
      '#include <dnnl.hpp>\n',
    );
    if (found === 'missing') return `no C++ compiler: \`${cxx}\` did not run`;
    if (found === 'failed')
      return 'oneDNN headers (dnnl.hpp) not found: apt-get install libdnnl-dev, or brew/conda onednn';
    // binding.gyp asks node for node-addon-api's headers.
    createRequire(import.meta.url).resolve('node-addon-api');
    return undefined;
  },
  built: '@rectifier/backend: oneDNN engine built (selectBackend() can use "onednn").',
});
