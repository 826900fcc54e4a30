import { Worker } from 'node:worker_threads';

/**
 * Ends this process when the process that started it is gone (reparented), even while the main
 * thread is stuck in a long synchronous kernel: a small thread polls `process.ppid` and
 * SIGKILLs its own process. The closed socket covers the usual case; this covers a worker that
 * is busy (or hung) when rank 0 is SIGKILLed, so no orphan keeps a core.
 */
export function watchParent(parentPid: number, everyMs = 500): void {
  if (!Number.isInteger(parentPid) || parentPid <= 1) return;
  const code = `const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(workerData.self, 'SIGKILL');
}, workerData.everyMs);`;
  const w = new Worker(code, {
    eval: true,
    workerData: { parent: parentPid, self: process.pid, everyMs },
  });
  w.unref();
}
