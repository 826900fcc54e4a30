// The package's `browser` entry: the same API as index.ts, without the Node-only loader of the
// pthreads build (node:fs, node:os, worker files on disk) that index.ts's selectBackend uses.
import './register';

export * from './common';
export { listWebGpuAdapters, selectBackend } from './selectBackend.browser';
