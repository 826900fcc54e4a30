import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listWebGpuAdapters, selectBackend } from '@rectifier/backend';
import { maxRelativeError, onBackend, webGpuTests } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from './checkpoint';
import { deviceEnv } from './parallel/start';
import { train } from './run';
import { runPaths } from './runDirectory';
import type { StepLine } from './runRecords';
import { tempRunDirs } from './testing/tempRunDirs';
import { tinyLoader, tinyNet } from './testing/tinyNet';
import { parallelRunOptions, tinyRunOptions } from './testing/tinyRun';

// train() itself on @rectifier/backend's webgpu engine against tfjs's cpu backend: the step's
// packed loss/hit read, validation, the slopes, the checkpoints and the summary's hash all read
// tensors with data(), as webgpu in Node has no synchronous read.
const run = webGpuTests('trainer webgpu tests', await listWebGpuAdapters());
const { dir } = tempRunDirs('rectifier-trainer-webgpu-');

/**
 * Float32 tolerance of three SGD steps: the longest reduction is conv1's kernel gradient over
 * 8 images × 36 positions = 288 terms, whose rounding is bounded by 288·2^-24 ≈ 1.7e-5 of the
 * sum of |terms| whatever order a backend adds them in; three steps with momentum compound it
 * to about 5e-5. A wrong kernel (a dropped term, another tie rule) is off by percents.
 */
const TOLERANCE = 1e-4;

/** Four steps (two epochs of 24 / 12: sub-batches of 6), validation after each epoch. */
async function trainTiny() {
  const model = tinyNet();
  const counts: number[] = [];
  const runDir = dir();
  const summary = await train({
    ...tinyRunOptions({
      model,
      trainLoader: tinyLoader({ size: 24, batchSize: 12 }),
      valLoader: tinyLoader({ size: 12, shuffle: false, seed: 9 }),
      epochs: 2,
      accumulate: 2,
      hooks: { afterStep: () => counts.push(tf.memory().numTensors) },
    }),
    runDir,
  });
  const metrics = readFileSync(runPaths(runDir).metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l): l is StepLine => l.type === 'step');
  const weights = await Promise.all(
    model.model.weights.map((w) => w.read().data() as Promise<Float32Array>),
  );
  const checkpoint = readCheckpoint(join(runPaths(runDir).checkpoints, summary.lastCheckpoint));
  model.model.dispose();
  return { summary, losses: metrics.map((l) => l.loss), weights, checkpoint, counts };
}

describe.runIf(run)('train() on webgpu', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
    await selectBackend({ prefer: 'cpu' });
  });

  test('four Caffe-SGD steps with accumulation and validation: same losses and weights as cpu, no leak', async () => {
    const gpu = await onBackend('webgpu', trainTiny);
    const cpu = await onBackend('cpu', trainTiny);
    expect(gpu.summary.backend).toBe('webgpu');
    expect(gpu.summary.steps).toBe(4);
    expect(gpu.losses).toHaveLength(4);
    expect(maxRelativeError(gpu.losses, cpu.losses)).toBeLessThan(TOLERANCE);
    expect(gpu.weights).toHaveLength(cpu.weights.length);
    gpu.weights.forEach((w, i) => {
      expect(maxRelativeError(w, cpu.weights[i]), `weight ${i}`).toBeLessThan(TOLERANCE);
    });
    // The checkpoint holds what the model holds (read back from the GPU, not stale values).
    gpu.checkpoint.weights.forEach((t, i) => {
      expect(t.data).toEqual(gpu.weights[i]);
    });
    expect(gpu.summary.valTop1Error).not.toBeNull();
    // Steps 2–4 hold the same tensors: the per-step reads release what they packed.
    expect(new Set(gpu.counts.slice(1)).size).toBe(1);
  });

  test("two local workers on webgpu (hybrid): one process's weights", async () => {
    // parallelRunOptions' run, 5 steps: workers start their webgpu engine on the adapter at
    // RECTIFIER_GPU (rank 0's + their rank, modulo the adapters: here all on the one).
    const trainOn = async (devices: number) => {
      const options = parallelRunOptions({ devices });
      const model = options.model as ReturnType<typeof tinyNet>;
      const summary = await train({ ...options, runDir: dir() });
      const weights = await Promise.all(
        model.model.weights.map((w) => w.read().data() as Promise<Float32Array>),
      );
      model.model.dispose();
      return { summary, weights };
    };
    const { one, two } = await onBackend('webgpu', async () => ({
      one: await trainOn(1),
      two: await trainOn(2),
    }));
    expect(two.summary).toMatchObject({ steps: 5, backend: 'webgpu' });
    two.weights.forEach((w, i) => {
      expect(maxRelativeError(w, one.weights[i]), `weight ${i}`).toBeLessThan(TOLERANCE);
    });
  });
});

describe('the adapter of a local worker', () => {
  test("RECTIFIER_GPU = rank 0's index (default 0) + the worker's rank; CUDA_VISIBLE_DEVICES as before", () => {
    expect(deviceEnv(1, {})).toEqual({ CUDA_VISIBLE_DEVICES: '1', RECTIFIER_GPU: '1' });
    expect(deviceEnv(2, { RECTIFIER_GPU: '1', CUDA_VISIBLE_DEVICES: '4,5,6' })).toEqual({
      CUDA_VISIBLE_DEVICES: '6',
      RECTIFIER_GPU: '3',
    });
    // Rank 0's backend refuses an invalid index with its error; the workers get it unchanged.
    expect(deviceEnv(1, { RECTIFIER_GPU: 'x' }).RECTIFIER_GPU).toBe('x');
  });
});
