import './register';

export * from './common';
export { selectBackend } from './selectBackend';
