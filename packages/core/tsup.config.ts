import { packageConfig } from '../../tools/build/tsup';

// Two entries: the progress display needs cli-progress (Node's readline), so it lives behind
// `@rectifier/core/progress` and stays out of browser bundles of the main entry.
export default packageConfig({
  entry: { index: 'src/index.ts', progress: 'src/progress/index.ts' },
});
