import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, test } from 'vitest';
import { BackendError } from '../errors';
import { registerBrowserThreads } from './browserThreads';

// The browser entry's threading rule, checked here in Node by playing the page's
// `crossOriginIsolated` flag (Node has none: like a page served without COOP/COEP).
describe('registerBrowserThreads', () => {
  const global = globalThis as { crossOriginIsolated?: boolean };
  afterEach(() => {
    delete global.crossOriginIsolated;
  });

  test('more than one thread on a page that is not cross-origin isolated names the headers', () => {
    expect(() => registerBrowserThreads(2)).toThrow(BackendError);
    expect(() => registerBrowserThreads(2)).toThrow(/Cross-Origin-Opener-Policy: same-origin/);
    global.crossOriginIsolated = false;
    expect(() => registerBrowserThreads(4)).toThrow(/threads=4/);
  });

  test('one thread is always allowed; more once isolated, until wasm has started', async () => {
    expect(() => registerBrowserThreads(1)).not.toThrow();
    global.crossOriginIsolated = true;
    expect(() => registerBrowserThreads(2)).not.toThrow();
    await tf.setBackend('wasm');
    tf.ones([2]).dispose();
    expect(() => registerBrowserThreads(2)).toThrow(/already running/);
    expect(() => registerBrowserThreads(1)).not.toThrow();
  });
});
