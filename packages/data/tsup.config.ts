import { cpSync } from 'node:fs';
import { packageConfig } from '../../tools/build/tsup';

// shims: the CJS build needs import.meta.url to find the bundled Fashion-MNIST assets, which
// the build copies next to the bundles (dist/assets) so the tarball holds only dist/ and docs.
export default packageConfig({
  shims: true,
  onSuccess: async () => {
    cpSync('src/assets', 'dist/assets', { recursive: true });
  },
});
