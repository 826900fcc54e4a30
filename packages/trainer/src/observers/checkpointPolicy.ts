import { existsSync, statSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { type CheckpointTensor, pruneCheckpoints, writeCheckpoint } from '../checkpoint';
import { DivergenceError } from '../errors';
import { runPaths } from '../runDirectory';
import type { RunState, StoredRunState } from '../runState';
import type { TrainPlan } from '../trainOptions';
import { weightName } from '../weights';
import type { TrainObserver } from './observer';

function bytesOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * The weights as checkpoint tensors, read together with `data()` (webgpu in Node has no
 * synchronous read); a non-finite value is a divergence (nothing is written).
 */
async function tensorsOf(
  ws: { name: string; read(): tf.Tensor }[],
  what: string,
  step: number,
  last: string | null,
): Promise<CheckpointTensor[]> {
  const tensors = ws.map((w) => w.read());
  const all = await Promise.all(tensors.map((v) => v.data() as Promise<Float32Array>));
  return ws.map((w, k): CheckpointTensor => {
    const data = all[k];
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]))
        throw new DivergenceError(step, data[i], `${what} ${w.name}`, last);
    }
    return { name: w.name, shape: tensors[k].shape, data: Float32Array.from(data) };
  });
}

/**
 * Writes a checkpoint of the run as it stands: weights, momentum buffers, schedule, the loader
 * position and the byte lengths of metrics.jsonl and slopes.jsonl (a resume cuts lines past
 * them). Keeps the newest `keep` plus the best by validation error.
 */
export async function writeRunCheckpoint(plan: TrainPlan, s: RunState): Promise<void> {
  const { options, parts } = plan;
  const [weights, { buffers }] = await Promise.all([
    tensorsOf(
      parts.whole.weights.map((w) => ({ name: weightName(w), read: () => w.read() })),
      'weight',
      s.step,
      s.lastCheckpoint,
    ),
    options.optimizer.getState(),
  ]);
  const p = runPaths(options.runDir);
  const stored: StoredRunState = {
    epochStats: { loss: s.epochLoss, top1: s.epochTop1, count: s.epochCount },
    best: s.best,
    lastVal: s.lastVal,
    skipped: { run: s.skipped, epoch: s.epochSkipped },
  };
  const name = writeCheckpoint(
    p.checkpoints,
    {
      fingerprint: plan.fingerprintHash,
      step: s.step,
      epoch: s.epoch,
      batchInEpoch: s.batchInEpoch,
      valError: s.valError,
      schedule: plan.schedule.getState(),
      metricsBytes: bytesOf(p.metrics),
      slopesBytes: bytesOf(p.slopes),
      elapsedMs: s.elapsedMs,
      ...stored,
      weights,
      buffers,
    },
    (phase) => options.hooks?.checkpoint?.(phase, s.step),
  );
  s.lastCheckpoint = name;
  if (
    s.valError !== null &&
    s.batchInEpoch === 0 &&
    (s.best === null || s.valError < s.best.valError)
  ) {
    s.best = { name, valError: s.valError };
  }
  pruneCheckpoints(p.checkpoints, plan.keep, s.best?.name ?? null);
}

/**
 * The checkpoint policy: every `checkpointEvery` epochs or steps, and whenever the loop stops
 * (the last epoch, `maxSteps`, an interruption) with progress since the last checkpoint.
 */
export function checkpointPolicy(
  plan: TrainPlan,
  s: RunState,
  elapsed: () => number,
): TrainObserver {
  // The run starts at a checkpoint (step 0's, or the one resumed from).
  let dirty = false;
  const write = async () => {
    s.elapsedMs = elapsed();
    await writeRunCheckpoint(plan, s);
    dirty = false;
  };
  const every = plan.every;
  return {
    async step(line) {
      dirty = true;
      if ('steps' in every && line.step % every.steps === 0) await write();
    },
    async epochEnd({ line }) {
      dirty = true;
      if ('epochs' in every && (line.epoch + 1) % every.epochs === 0) await write();
    },
    async stop() {
      if (dirty) await write();
    },
  };
}
