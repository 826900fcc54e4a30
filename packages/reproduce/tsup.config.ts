import { packageConfig } from '../../tools/build/tsup';

// The library entry plus the `rectifier` bin (ESM only: it uses top-level await).
export default [
  packageConfig(),
  packageConfig({ entry: ['src/cli.ts'], format: ['esm'], dts: false, clean: false }),
];
