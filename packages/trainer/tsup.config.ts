import { packageConfig } from '../../tools/build/tsup';

// worker: the program of the multi-device `local` engine's child processes (src/parallel/worker.ts).
export default packageConfig({
  entry: { index: 'src/index.ts', worker: 'src/parallel/worker.ts' },
});
