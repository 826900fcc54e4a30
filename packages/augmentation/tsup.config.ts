import { packageConfig } from '../../tools/build/tsup';

// geometryWorker is the worker_threads entry of createWorkerPool: built next to index.
export default packageConfig({ entry: ['src/index.ts', 'src/geometryWorker.ts'] });
