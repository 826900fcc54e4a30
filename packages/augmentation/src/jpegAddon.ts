import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The native addon built from native/src/ (jpegRegion.cc's header states the contract). */
export interface JpegAddon {
  /**
   * RGB pixels (HWC) of the rectangle, into `out` when given (exactly width·height·3 bytes);
   * throws on anything libjpeg reports, warnings included.
   */
  decodeRegion(
    bytes: Uint8Array,
    left: number,
    top: number,
    width: number,
    height: number,
    out?: Uint8Array,
  ): Uint8Array;
  /**
   * Pillow's bilinear resampling of a decoded window into `out`, with the coefficients of
   * `triangleCoefficients` (native/src/resample.cc lists the arguments): resampleWindow's bits.
   */
  resampleWindow(
    src: Uint8Array,
    srcWidth: number,
    channels: number,
    srcX: number,
    srcY: number,
    xFirst: Int32Array,
    xCount: Int32Array,
    xFixed: Int32Array,
    xK: number,
    yFirst: Int32Array,
    yCount: Int32Array,
    yFixed: Int32Array,
    yK: number,
    flip: boolean,
    shift: Float64Array,
    out: Uint8Array | Float32Array,
  ): void;
  /** The version of the JS ↔ C++ contract the addon was built from. */
  contract: number;
  /** libjpeg-turbo's version it was compiled against, e.g. 2001005 for 2.1.5. */
  libjpegTurbo: number;
}

/** native/src/jpegRegion.cc's `kContract`: bumped whenever decodeRegion's contract changes. */
const CONTRACT = 3;
const addonFile = join('native', 'build', 'Release', 'rectifier_jpeg.node');
let loaded: JpegAddon | Error | undefined;

/** This module's own path in both the ESM and the CommonJS build (and as TypeScript source). */
function here(): string {
  // ESM first: a worker started with `eval: true` (the pool's, from TypeScript sources) has a
  // global __filename of '[worker eval]'. The CJS build has no import.meta.url.
  const url = import.meta.url;
  return url ? fileURLToPath(url) : __filename;
}

/**
 * Loads the JPEG region decoder once; returns the Error that stopped it (not built because
 * libjpeg-turbo or a compiler was missing at install, disabled with RECTIFIER_JPEG=0, or failing
 * to load). Without it every JPEG is decoded through sharp, to the same pixels.
 */
export function loadJpegAddon(): JpegAddon | Error {
  if (loaded !== undefined) return loaded;
  if (process.env.RECTIFIER_JPEG === '0') {
    loaded = new Error('the libjpeg-turbo region decoder is disabled by RECTIFIER_JPEG=0');
    return loaded;
  }
  // src/ and dist/ both sit one level below the package root.
  const path = join(dirname(here()), '..', addonFile);
  if (!existsSync(path)) {
    loaded = new Error(
      `the libjpeg-turbo region decoder was not built (no ${addonFile} in @rectifier/augmentation): ` +
        'install libjpeg-turbo (Debian: apt-get install libjpeg62-turbo-dev; Ubuntu: ' +
        'libjpeg-turbo8-dev; Homebrew or conda: jpeg-turbo) and a C++ compiler, then reinstall ' +
        '@rectifier/augmentation',
    );
    return loaded;
  }
  try {
    loaded = createRequire(path)(path) as JpegAddon;
  } catch (error) {
    loaded = new Error(`the libjpeg-turbo region decoder at ${path} failed to load`, {
      cause: error,
    });
    return loaded;
  }
  if (loaded.contract !== CONTRACT) {
    loaded = new Error(
      `the libjpeg-turbo region decoder at ${path} was built from other sources than this package (contract ${loaded.contract}, expected ${CONTRACT}): rebuild it with \`npm rebuild @rectifier/augmentation\``,
    );
  }
  return loaded;
}
