import { packageConfig } from '../../tools/build/tsup';

// shims: the CJS build needs import.meta.url to find the bundled Fashion-MNIST assets.
export default packageConfig({ shims: true });
