import { packageConfig } from '../../tools/build/tsup';

export default packageConfig({ entry: ['src/index.ts'] });
