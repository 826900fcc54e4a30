/**
 * worker_threads entry of {@link createWorkerPool}: runs the pixel work of each image — the decode
 * (libjpeg-turbo addon, synchronously in this thread, or sharp), the JS resampler and the
 * uint8 → float32 conversion with the fused per-channel shift — for plans made (and random
 * numbers drawn) on the calling thread, and transfers the float32 pixels back. Keeping the draws on the caller is what makes the output
 * independent of the number of workers.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { runGeometry } from './geometry';
import type { GeometryPlan } from './transforms';

export interface GeometryJob {
  id: number;
  bytes: Uint8Array;
  plan: GeometryPlan;
  width: number;
  height: number;
  shift?: number[];
  /** Return uint8 pixels instead of float32 (ten-crop cuts its crops on the caller). */
  rawOnly?: boolean;
}

export type GeometryResult =
  | {
      id: number;
      data: Float32Array | Uint8Array;
      width: number;
      height: number;
      channels: number;
    }
  | { id: number; error: string };

/** One job: its pixels (transferred) or its error, posted as soon as it is done. */
async function handle(port: MessagePort, job: GeometryJob): Promise<void> {
  try {
    const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    const float = job.rawOnly ? undefined : { shift: job.shift };
    const px = await runGeometry(bytes, job.plan, job.width, job.height, float);
    // sharp's output buffers may not be transferable: copy the (test-time) raw case
    const img = job.rawOnly ? { ...px, data: new Uint8Array(px.data) } : px;
    const result: GeometryResult = {
      id: job.id,
      data: img.data as Float32Array | Uint8Array,
      width: img.width,
      height: img.height,
      channels: img.channels,
    };
    port.postMessage(result, [img.data.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ id: job.id, error: (e as Error).message } satisfies GeometryResult);
  }
}

const port = parentPort;
if (port) {
  // A message carries the jobs the pool gave this worker in one turn of its event loop. Each
  // result goes back as soon as its job is done, before the next job starts, so the caller can
  // hand out more work meanwhile; a job that waits on real I/O (sharp's decode on libuv's pool)
  // lets the next one start after one turn, so sharp decodes still overlap as they did with one
  // message per job. The addon's decode and the resampler are synchronous: no turn passes.
  port.on('message', async (jobs: GeometryJob[]) => {
    for (const job of jobs) {
      await Promise.race([handle(port, job), new Promise((turn) => setImmediate(turn))]);
    }
  });
}
