/**
 * worker_threads entry of {@link createWorkerPool}: runs the pixel work of one image — the decode
 * (libjpeg-turbo addon, synchronously in this thread, or sharp), the JS resampler and the
 * uint8 → float32 conversion with the fused per-channel shift — for plans made (and random
 * numbers drawn) on the calling thread, and transfers the float32 pixels back. Keeping the draws on the caller is what makes the output
 * independent of the number of workers.
 */
import { parentPort } from 'node:worker_threads';
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

const port = parentPort;
if (port) {
  port.on('message', async (job: GeometryJob) => {
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
  });
}
