import { defineConfig, type Options } from 'tsup';

/**
 * The one place every package's build options live. Packages call `packageConfig()` from a
 * one-line `tsup.config.ts`; switching bundler (tsup's maintainers point to tsdown) is a change
 * to this file only.
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
