/**
 * A worker_threads entry for tests: reports whether the libjpeg-turbo addon loads in a worker
 * started the way createWorkerPool starts its own (`startWorker`).
 */
import { parentPort } from 'node:worker_threads';
import { loadJpegAddon } from '../jpegAddon';

const addon = loadJpegAddon();
parentPort?.postMessage(addon instanceof Error ? addon.message : 'loaded');
