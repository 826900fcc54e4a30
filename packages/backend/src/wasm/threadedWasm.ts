import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../errors';

const requireHere = createRequire(import.meta.url);

interface EmscriptenModule {
  cwrap: (name: string, ret: string | null, args: string[]) => unknown;
  tfjs?: unknown;
  PThread: { runningWorkers: NodeWorker[]; unusedWorkers: NodeWorker[] };
}

interface NodeWorker {
  unref(): void;
}

let registeredThreads = 1;

/**
 * Makes the wasm backend run XNNPACK on `threads` threads in Node.
 *
 * tfjs-backend-wasm 4.22 ships a pthreads build but never uses it in Node: its feature flag says
 * no, and its loader hands Emscripten a `blob:` URL for the worker script, which Node's
 * worker_threads cannot load. Its C++ also caps the pool at half the logical cores (meant for
 * hyper-threaded desktops), i.e. 1 on a 2-core machine. This loads the same threaded binary the
 * way Emscripten expects in Node — worker and main script as real files — and lets the pool
 * have the requested size, then registers it as the "wasm" backend. Must run before the wasm
 * backend is first initialised; kernels registered for "wasm" (Rectifier's included) apply.
 */
export function registerThreadedWasm(threads: number): void {
  if (threads === registeredThreads) return;
  if (tf.engine().registry.wasm !== undefined) {
    throw new BackendError(
      `The wasm backend is already running with ${registeredThreads} thread(s): choose ` +
        `\`threads\` in the first selectBackend() call, before any tensor is created on wasm.`,
    );
  }
  const pkg = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const binary = join(pkg, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  const worker = workerScript(pkg);
  const factory = requireHere(mainScript) as (config: object) => Promise<EmscriptenModule>;

  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  setThreadsCount(threads);
  tf.registerBackend(
    'wasm',
    async () => {
      // The C++ side sizes its pool from half of os.cpus(); show it enough cores for the
      // requested count while the module initialises.
      const cpus = os.cpus;
      os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
      let module: EmscriptenModule;
      try {
        module = await factory({
          locateFile: (path: string) =>
            path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? binary : path,
          mainScriptUrlOrBlob: mainScript,
        });
      } finally {
        os.cpus = cpus;
      }
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      const backend = new BackendWasm(module as never);
      // The pool's threads wait on futexes for work; referenced workers would keep Node from
      // exiting when the program is done.
      for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers])
        w.unref();
      return backend;
    },
    2,
  );
  registeredThreads = threads;
}

/** The size of the wasm pool once the wasm backend has started (it is fixed then), else null. */
export function runningWasmThreads(): number | null {
  return tf.engine().registry.wasm === undefined ? null : registeredThreads;
}

/** The pthread worker script, written once per tfjs version as a real file Node can load. */
function workerScript(pkg: string): string {
  const version = (requireHere(join(pkg, 'package.json')) as { version: string }).version;
  const path = join(os.tmpdir(), `rectifier-tfjs-wasm-${version}-threaded-simd.worker.js`);
  if (!existsSync(path)) {
    const { wasmWorkerContents } = requireHere(
      join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
    ) as { wasmWorkerContents: string };
    // The contents are a template literal whose `\n` escapes became newlines; tfjs restores
    // them the same way before making its blob.
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, wasmWorkerContents.replace(/\n/g, '\\n'));
    renameSync(temporary, path);
  }
  return path;
}
