// Builds the optional JPEG region decoder (native/build/Release/rectifier_jpeg.node) when a C++
// compiler and libjpeg-turbo's headers are present; otherwise prints one line and succeeds, so
// that `npm install` works everywhere and the pipelines decode through sharp instead.
//
// Runs as @rectifier/augmentation's install script. RECTIFIER_JPEG=0 skips the build.
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
  name: '@rectifier/augmentation: libjpeg-turbo region decoder',
  skipVariable: 'RECTIFIER_JPEG',
  fallback: 'JPEGs are decoded through sharp (same pixels, slower)',
  // jpeg_crop_scanline and jpeg_skip_scanlines are libjpeg-turbo's (1.5+), not IJG libjpeg's.
  probe: () =>
    probeCxxHeaders(
      '#include <cstdio>\n#include <jpeglib.h>\n#ifndef LIBJPEG_TURBO_VERSION_NUMBER\n#error not libjpeg-turbo\n#endif\n',
      'libjpeg-turbo headers (jpeglib.h) not found: apt-get install libjpeg62-turbo-dev (Ubuntu: libjpeg-turbo8-dev), or brew/conda jpeg-turbo',
    ),
  built: '@rectifier/augmentation: libjpeg-turbo region decoder built.',
});
