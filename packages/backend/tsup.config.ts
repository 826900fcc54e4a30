import { packageConfig } from '../../tools/build/tsup';

// `shims` gives the CJS build an `import.meta.url` (threadedWasm resolves wasm files with it).
export default packageConfig({ shims: true });
