import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../errors';

/**
 * The browser's counterpart of registerThreadedWasm: there tfjs-backend-wasm loads its own
 * pthreads build, but only on a cross-origin isolated page (SharedArrayBuffer needs the
 * COOP/COEP headers); elsewhere it silently runs one thread. So more than one thread on a page
 * that cannot have them is an error naming the headers, not a quiet slowdown. Must run before
 * the wasm backend first starts, as in Node.
 */
export function registerBrowserThreads(threads: number): void {
  if (
    threads > 1 &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true
  ) {
    throw new BackendError(
      `threads=${threads} needs a cross-origin isolated page (SharedArrayBuffer): serve it with ` +
        '`Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: ' +
        'require-corp`, or use threads: 1.',
    );
  }
  if (tf.engine().registry.wasm !== undefined) {
    if (threads === 1) return;
    throw new BackendError(
      `The wasm backend is already running: choose \`threads\` (${threads}) in the first ` +
        'selectBackend() call, before any tensor is created on wasm.',
    );
  }
  setThreadsCount(threads);
}

/**
 * selectBackend's default on a page: every core (`navigator.hardwareConcurrency`) when the page
 * is cross-origin isolated and wasm has not started yet, else 1 (what the page can have).
 */
export function browserDefaultThreads(): number {
  const page = globalThis as {
    crossOriginIsolated?: boolean;
    navigator?: { hardwareConcurrency?: number };
  };
  if (page.crossOriginIsolated !== true || tf.engine().registry.wasm !== undefined) return 1;
  return Math.max(1, page.navigator?.hardwareConcurrency ?? 1);
}
