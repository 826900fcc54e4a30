import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layoutMismatch } from './layouts';
import { withOpenMpDefaults } from './openMpWait';

/** One oneDNN primitive the engine has built: its kind, the sizes it was built for, its code. */
export interface OneDnnPrimitive {
  /**
   * c conv forward, i conv input gradient, f conv filter gradient, m matmul, p/q max pool/grad,
   * b elementwise binary, r relu, u/v PReLU forward/gradient.
   */
  kind: string;
  sizes: number[];
  /** The implementation oneDNN picked, e.g. `brgconv:avx512_core`. */
  impl: string;
}

/**
 * The native addon built from native/src/. Every kernel takes the wasm heap (the current
 * ArrayBuffer of wasm's memory) and a Float64Array of byte offsets into it followed by sizes,
 * in the order of its table in layouts.ts (`pack`).
 */
export interface OneDnnAddon {
  conv2d(heap: ArrayBuffer, params: Float64Array): void;
  conv2dBackpropInput(heap: ArrayBuffer, params: Float64Array): void;
  conv2dBackpropFilter(heap: ArrayBuffer, params: Float64Array): void;
  matmul(heap: ArrayBuffer, params: Float64Array): void;
  maxPool(heap: ArrayBuffer, params: Float64Array): void;
  maxPoolGrad(heap: ArrayBuffer, params: Float64Array): void;
  binary(heap: ArrayBuffer, params: Float64Array): void;
  relu(heap: ArrayBuffer, params: Float64Array): void;
  step(heap: ArrayBuffer, params: Float64Array): void;
  reluGrad(heap: ArrayBuffer, params: Float64Array): void;
  prelu(heap: ArrayBuffer, params: Float64Array): void;
  preluGrad(heap: ArrayBuffer, params: Float64Array): void;
  sgdUpdate(heap: ArrayBuffer, params: Float64Array): void;
  sppPool(heap: ArrayBuffer, params: Float64Array): void;
  sppGrad(heap: ArrayBuffer, params: Float64Array): void;
  /** Every kernel's parameter names, as native/src/layouts.h has them. */
  layouts(): Record<string, string[]>;
  setThreads(threads: number): void;
  threads(): number;
  version(): string;
  implementations(): OneDnnPrimitive[];
  clearCache(): void;
  /** oneDNN's status code for "no implementation for this shape" (the kernel then falls back). */
  unimplementedStatus: number;
}

const requireHere = createRequire(import.meta.url);
const addonFile = join('native', 'build', 'Release', 'rectifier_onednn.node');
let loaded: OneDnnAddon | Error | undefined;

/**
 * Loads the oneDNN addon once; returns the Error that stopped it (not built because oneDNN or a
 * compiler was missing at install, disabled with RECTIFIER_ONEDNN=0, or failing to load).
 */
export function loadOneDnnAddon(): OneDnnAddon | Error {
  if (loaded !== undefined) return loaded;
  if (process.env.RECTIFIER_ONEDNN === '0') {
    loaded = new Error('the oneDNN engine is disabled by RECTIFIER_ONEDNN=0');
    return loaded;
  }
  // The sources (src/onednn/) and the bundle (dist/) sit at different depths in the package.
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', addonFile), join(here, '..', '..', addonFile)];
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    loaded = new Error(
      `the oneDNN addon was not built (no ${addonFile} in @rectifier/backend): install oneDNN ` +
        '(Debian/Ubuntu: apt-get install libdnnl-dev; Homebrew or conda: onednn) and a C++ ' +
        'compiler, then reinstall @rectifier/backend',
    );
    return loaded;
  }
  try {
    loaded = withOpenMpDefaults(() => requireHere(path) as OneDnnAddon);
  } catch (error) {
    loaded = new Error(`the oneDNN addon at ${path} failed to load`, { cause: error });
    return loaded;
  }
  // An addon built from other sources would read its parameters in another order.
  const mismatch =
    typeof loaded.layouts === 'function'
      ? layoutMismatch(loaded.layouts())
      : 'the addon reports no parameter layouts';
  if (mismatch !== undefined) {
    loaded = new Error(
      `the oneDNN addon at ${path} was built from other sources than this package (${mismatch}): rebuild it with \`npm rebuild @rectifier/backend\``,
    );
  }
  return loaded;
}
