import { packageConfig } from '../../tools/build/tsup';

// `shims` gives the CJS build an `import.meta.url` (threadedWasm resolves wasm files with it).
// browser.ts is the `browser` export condition's entry: no Node built-in reaches it.
export default packageConfig({ entry: ['src/index.ts', 'src/browser.ts'], shims: true });
