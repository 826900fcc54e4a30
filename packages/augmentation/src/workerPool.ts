import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { received } from '@rectifier/core';
import type { RawImage } from '@rectifier/data';
import { AugmentationArgumentError, checkOptionKeys } from './errors';
import type { GeometryJob, GeometryResult } from './geometryWorker';
import type { GeometryPlan } from './transforms';

/** Pixel work of {@link compose} pipelines spread over worker threads. */
export interface WorkerPool {
  readonly size: number;
  /** Runs one image's plan in a worker (used by `Pipeline.withWorkers`). */
  run(
    bytes: Uint8Array,
    plan: GeometryPlan,
    width: number,
    height: number,
    shift?: number[],
    rawOnly?: boolean,
  ): Promise<RawImage>;
  /** Terminates the workers; pending jobs reject. */
  close(): Promise<void>;
}

/** This module's own URL in both the ESM and the CommonJS build (and as TypeScript source). */
function here(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/**
 * Starts `workers` worker threads (default: the number of cores) that run the per-image pixel
 * work — the decode (synchronous with the optional libjpeg-turbo addon, else sharp), the JS
 * resampler, float conversion — so it scales with cores instead of queueing on the calling
 * thread. Plans and random draws stay on the
 * caller, so results are identical for any pool size (or none). Call `close()` when done.
 *
 * From TypeScript sources (the `@rectifier/source` condition) the workers load the `.ts` entry
 * through `tsx`, which must then be installed (it is a dev dependency of this repo).
 */
export function createWorkerPool(options: { workers?: number } = {}): WorkerPool {
  checkOptionKeys(options, ['workers'], 'createWorkerPool');
  const size = options.workers ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) {
    throw new AugmentationArgumentError(
      `Argument \`workers\` must be a positive integer. Received: workers=${received(size)}`,
    );
  }
  const self = here();
  const ext = self.match(/\.(c?js|ts)$/)?.[1] ?? 'js';
  const entry = new URL(`./geometryWorker.${ext}`, self);
  const pending = new Map<number, { resolve: (r: RawImage) => void; reject: (e: Error) => void }>();
  const load: number[] = new Array(size).fill(0);
  const dead: (Error | undefined)[] = new Array(size).fill(undefined);
  const owner = new Map<number, number>();
  // Jobs given to each worker since the last flush: they go in one message (one structured
  // clone, one wake-up of the worker) when the calling thread's current turn of the event loop
  // ends — a loader that gets several results in one turn starts their successors together.
  let outbox: GeometryJob[][] = Array.from({ length: size }, () => []);
  let flushQueued = false;
  let nextId = 0;
  const fail = (w: number, e: Error) => {
    dead[w] = e;
    for (const [id, p] of pending) {
      if (owner.get(id) === w) {
        pending.delete(id);
        owner.delete(id);
        p.reject(e);
      }
    }
  };
  const flush = () => {
    flushQueued = false;
    const batches = outbox;
    outbox = Array.from({ length: size }, () => []);
    batches.forEach((jobs, w) => {
      // a worker that died meanwhile has rejected these jobs already (fail)
      if (jobs.length > 0 && !dead[w]) workers[w].postMessage(jobs); // bytes copied: the caller keeps them
    });
  };
  const workers = Array.from({ length: size }, (_, w) => {
    const worker = startWorker(entry, ext, self);
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (r: GeometryResult) => {
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      owner.delete(r.id);
      if (--load[w] === 0) worker.unref();
      if ('error' in r) p.reject(new Error(r.error));
      else p.resolve({ data: r.data, width: r.width, height: r.height, channels: r.channels });
    });
    worker.on('error', (e) => fail(w, e));
    worker.on('exit', (code) => fail(w, new Error(`augmentation worker exited (code ${code})`)));
    return worker;
  });
  return {
    size,
    run(bytes, plan, width, height, shift, rawOnly) {
      // least-loaded worker; ties → lowest index
      let w = -1;
      for (let i = 0; i < size; i++) if (!dead[i] && (w < 0 || load[i] < load[w])) w = i;
      if (w < 0) return Promise.reject(dead[0]);
      const id = nextId++;
      if (load[w]++ === 0) workers[w].ref(); // busy workers keep the process alive
      owner.set(id, w);
      outbox[w].push({ id, bytes, plan, width, height, shift, rawOnly });
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(flush);
      }
      return new Promise<RawImage>((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    async close() {
      // before the workers exit, whose 'exit' would reject them as crashes
      outbox = Array.from({ length: size }, () => []);
      for (const p of pending.values()) p.reject(new Error('worker pool closed'));
      pending.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Compiled builds load the worker file directly. From TypeScript sources (tests, benchmarks run
 * with the `@rectifier/source` condition) a small bootstrap registers `tsx` in the worker first.
 */
export function startWorker(entry: URL, ext: string, self: string): Worker {
  if (ext !== 'ts') return new Worker(entry);
  // tsx's ESM API (the `import` target of its `./esm/api` export, next to the `require` one)
  const api = createRequire(self)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const tsx = pathToFileURL(api).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, execArgv: ['--conditions=@rectifier/source'] });
}
