import './register';

export * from './common';
export { listWebGpuAdapters, selectBackend } from './selectBackend';
