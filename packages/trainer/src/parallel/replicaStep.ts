import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { ParallelError } from '../errors';
import { hitCounts } from '../loss';
import { type ModelParts, type StepGradients, seedDropout } from '../step';
import {
  allreduceBuckets,
  type Collectives,
  decodeJson,
  encodeJson,
  offsets,
  shardCounts,
} from './collectives';
import type { CollectiveTimeout } from './collectiveTimeout';
import { partsOf, type Replica } from './replica';
import { setWindow } from './shardDropout';
import { type RecordedForward, recordForward } from './tape';

/*
 * One multi-device step of either scheme (see replica.ts), for rank 0 (`rootStep`) and every
 * other rank (`workerLoop`), and the end of a session (`rootStop`).
 */

/** The per-step message from rank 0: command, learning rate, dropout seed, shapes, shard sizes. */
interface StepHeader {
  cmd: 'step' | 'stop';
  step: number;
  lr: number;
  dropoutSeed: number | null;
  /** Shape of one example image. */
  example: number[];
  counts: number[];
  labelDtype: 'int32' | 'float32';
}

/** Per-step communication time, for the benchmark and the metrics. */
export interface CommStats {
  /** Milliseconds rank 0 spent inside collectives (waiting included) in the last step. */
  lastMs: number;
  totalMs: number;
  steps: number;
}

async function timed<T>(stats: CommStats, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    stats.lastMs += performance.now() - t0;
  }
}

const perExample = (shape: number[]) => shape.slice(1).reduce((a, b) => a * b, 1);

/**
 * Rank 0's half of one step: shards the mini-batch, runs its own shard, the head (hybrid) and
 * the collectives; returns the whole batch's gradients for rank 0's optimizer (shared ones
 * already summed over ranks) and the batch's loss and errors, as `stepGradients` does.
 */
export async function rootStep(
  comm: Collectives,
  r: Replica,
  images: tf.Tensor,
  labels: tf.Tensor1D,
  { step, lr, dropoutSeed }: { step: number; lr: number; dropoutSeed: number },
  stats: CommStats,
): Promise<StepGradients> {
  const n = labels.shape[0];
  const counts = shardCounts(n, comm.size);
  stats.lastMs = 0;
  comm.context = { step, phase: 'step header' };
  const header: StepHeader = {
    cmd: 'step',
    step,
    lr,
    dropoutSeed,
    example: images.shape.slice(1),
    counts,
    labelDtype: labels.dtype === 'float32' ? 'float32' : 'int32',
  };
  await timed(stats, () => comm.bcast(encodeJson(header)));
  const result = await shardStep(comm, r, header, images, labels, stats);
  stats.totalMs += stats.lastMs;
  stats.steps++;
  return result as StepGradients;
}

/** Every rank's part of a step; rank 0 passes the whole batch, the others null. */
async function shardStep(
  comm: Collectives,
  r: Replica,
  h: StepHeader,
  images: tf.Tensor | null,
  labels: tf.Tensor1D | null,
  stats: CommStats,
): Promise<StepGradients | null> {
  const root = comm.rank === 0;
  const n = h.counts.reduce((a, b) => a + b, 0);
  const per = h.example.reduce((a, b) => a * b, 1);
  const at = offsets(h.counts)[comm.rank];
  const mine = h.counts[comm.rank];
  const parts = partsOf(r);
  const whole = root ? ((await (images as tf.Tensor).data()) as Float32Array) : null;
  comm.context = { step: h.step, phase: 'scatter of images' };
  const x = await timed(stats, () =>
    comm.scatterv(
      whole,
      h.counts.map((c) => c * per),
    ),
  );
  // A mini-batch with fewer images than ranks (an epoch's uneven last batch) leaves some
  // shards empty. Kernels are not asked to run on zero images (wasm's XNNPACK fails its setup,
  // and integer kernels divide by the batch): an empty shard contributes zero gradients and no
  // loss, which is exactly its share of the whole batch's sum.
  if (mine === 0)
    return r.mode === 'hybrid'
      ? emptyHybridShard(comm, r, h, stats)
      : emptyDataShard(comm, r, h, stats);
  const xs = tf.tensor(x, [mine, ...h.example]);
  if (h.dropoutSeed !== null) seedDropout(parts, h.dropoutSeed);
  const window = { offset: at, total: n };
  setWindow(r, [r.trunk, r.head], window);
  try {
    const shard: Shard = { comm, r, parts, h, xs, labels, stats };
    return r.mode === 'hybrid' ? await hybridShard(shard) : await dataShard(shard);
  } finally {
    xs.dispose();
  }
}

/** This rank's share of a step: its images (`xs`), and the whole batch's labels on rank 0. */
interface Shard {
  comm: Collectives;
  r: Replica;
  parts: ModelParts;
  h: StepHeader;
  xs: tf.Tensor;
  labels: tf.Tensor1D | null;
  stats: CommStats;
}

async function hybridShard(shard: Shard): Promise<StepGradients | null> {
  const { comm, r, parts, h, xs, labels, stats } = shard;
  const trunk = r.trunk as tf.LayersModel;
  // One trunk forward, kept on a tape for the backward once the feature gradients are back.
  const forward = recordForward(
    () => trunk.apply(xs, { training: true }) as tf.Tensor,
    parts.trunkWeights.map((w) => w.variable),
  );
  try {
    return await hybridRest(comm, r, forward, h, labels, stats);
  } finally {
    forward.dispose();
  }
}

async function hybridRest(
  comm: Collectives,
  r: Replica,
  forward: RecordedForward,
  h: StepHeader,
  labels: tf.Tensor1D | null,
  stats: CommStats,
): Promise<StepGradients | null> {
  const root = comm.rank === 0;
  const features = forward.output;
  const fshape = features.shape.slice(1);
  const fper = perExample(features.shape);
  const fcounts = h.counts.map((c) => c * fper);
  const mine = (await features.data()) as Float32Array;
  comm.context = { step: h.step, phase: 'gather of trunk features' };
  const all = await timed(stats, () => comm.gatherv(mine, fcounts));
  let head: { loss: number; top1: number; top5: number; grads: Record<string, tf.Tensor> } | null =
    null;
  let fgAll: Float32Array | null = null;
  if (root) {
    const n = h.counts.reduce((a, b) => a + b, 0);
    const F = tf.tensor(all as Float32Array, [n, ...fshape]);
    const y = labels as tf.Tensor1D;
    // The head on the whole mini-batch (Sec. 3: "the fc layers run on one GPU").
    let logits: tf.Tensor2D | undefined;
    const xsHead = [...r.own.map((w) => w.variable), F];
    const { value, grads } = tf.engine().gradients(() => {
      logits = tf.keep((r.head as tf.LayersModel).apply(F, { training: true }) as tf.Tensor2D);
      return r.loss(logits, y, n);
    }, xsHead);
    const named: Record<string, tf.Tensor> = {};
    r.own.forEach((w, i) => {
      named[w.name] = grads[i];
    });
    const fg = grads[grads.length - 1];
    const z = logits as tf.Tensor2D;
    const packed = tf.tidy(() => tf.concat([tf.reshape(value, [1]), hitCounts(z, y)]));
    // Both downloads at once: [loss, top-1 hits, top-k hits] and the feature gradients.
    const [fgRead, read] = await Promise.all([fg.data(), packed.data()]);
    fgAll = fgRead as Float32Array;
    head = { loss: read[0], top1: n - read[1], top5: n - read[2], grads: named };
    tf.dispose([F, value, z, fg, packed]);
  }
  comm.context = { step: h.step, phase: 'scatter of feature gradients' };
  const fg = await timed(stats, () => comm.scatterv(fgAll, fcounts));
  const fgT = tf.tensor(fg, [h.counts[comm.rank], ...fshape]);
  const tgList = forward.backward(fgT);
  fgT.dispose();
  const tg: Record<string, tf.Tensor> = {};
  r.shared.forEach((w, i) => {
    tg[w.name] = tgList[i];
  });
  const summed = await reduceShared(comm, r, tg, h, stats);
  if (!root) {
    r.optimizer.apply(summed, h.lr);
    tf.dispose(Object.values(summed));
    return null;
  }
  const grads = { ...(head as NonNullable<typeof head>).grads, ...summed };
  const { loss, top1, top5 } = head as NonNullable<typeof head>;
  return { loss, top1, top5, count: h.counts.reduce((a, b) => a + b, 0), grads };
}

/** Sums the shared gradients over ranks (fused buckets), plus `extra` floats (loss, errors). */
async function reduceShared(
  comm: Collectives,
  r: Replica,
  grads: Record<string, tf.Tensor>,
  h: StepHeader,
  stats: CommStats,
  extra?: Float32Array,
): Promise<Record<string, tf.Tensor>> {
  const arrays = await Promise.all(
    r.shared.map((w) => grads[w.name].data() as Promise<Float32Array>),
  );
  if (extra) arrays.push(extra);
  tf.dispose(r.shared.map((w) => grads[w.name]));
  comm.context = { step: h.step, phase: 'allreduce of gradients' };
  const summed = await timed(stats, () => allreduceBuckets(comm, arrays));
  if (extra) extra.set(summed[summed.length - 1]);
  const out: Record<string, tf.Tensor> = {};
  r.shared.forEach((w, i) => {
    out[w.name] = tf.tensor(summed[i], w.variable.shape);
  });
  return out;
}

/** Zero gradients for every shared weight (an empty shard's contribution to the sum). */
function zeroGrads(r: Replica): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const w of r.shared) out[w.name] = tf.zeros(w.variable.shape);
  return out;
}

/**
 * A rank (never 0: it takes the first image) whose hybrid shard is empty: it joins the gather
 * and the scatter with zero features, and the allreduce with zero trunk gradients.
 */
async function emptyHybridShard(
  comm: Collectives,
  r: Replica,
  h: StepHeader,
  stats: CommStats,
): Promise<null> {
  const fper = perExample((r.trunk as tf.LayersModel).outputs[0].shape.map((d) => d ?? 1));
  const fcounts = h.counts.map((c) => c * fper);
  comm.context = { step: h.step, phase: 'gather of trunk features' };
  await timed(stats, () => comm.gatherv(new Float32Array(0), fcounts));
  comm.context = { step: h.step, phase: 'scatter of feature gradients' };
  await timed(stats, () => comm.scatterv(null, fcounts));
  const summed = await reduceShared(comm, r, zeroGrads(r), h, stats);
  r.optimizer.apply(summed, h.lr);
  tf.dispose(Object.values(summed));
  return null;
}

/** A rank whose data-parallel shard is empty: zero gradients, zero loss and errors. */
async function emptyDataShard(
  comm: Collectives,
  r: Replica,
  h: StepHeader,
  stats: CommStats,
): Promise<null> {
  comm.context = { step: h.step, phase: 'scatter of labels' };
  await timed(stats, () => comm.scatterv(null, h.counts));
  const summed = await reduceShared(comm, r, zeroGrads(r), h, stats, new Float32Array(3));
  r.optimizer.apply(summed, h.lr);
  tf.dispose(Object.values(summed));
  return null;
}

async function dataShard(shard: Shard): Promise<StepGradients | null> {
  const { comm, r, parts, h, xs, labels, stats } = shard;
  const root = comm.rank === 0;
  const n = h.counts.reduce((a, b) => a + b, 0);
  comm.context = { step: h.step, phase: 'scatter of labels' };
  const whole = root ? Float32Array.from(await (labels as tf.Tensor1D).data()) : null;
  const ys = await timed(stats, () => comm.scatterv(whole, h.counts));
  const y = tf.tensor1d(ys, h.labelDtype);
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.engine().gradients(
    () => {
      const f =
        parts.trunk === null ? xs : (parts.trunk.apply(xs, { training: true }) as tf.Tensor);
      logits = tf.keep(parts.head.apply(f, { training: true }) as tf.Tensor2D);
      // Normalised by the WHOLE batch: the shards' gradients then sum to the batch's gradient.
      return r.loss(logits, y, n);
    },
    r.shared.map((w) => w.variable),
  );
  const named: Record<string, tf.Tensor> = {};
  r.shared.forEach((w, i) => {
    named[w.name] = grads[i];
  });
  const z = logits as tf.Tensor2D;
  const packed = tf.tidy(() => tf.concat([tf.reshape(value, [1]), hitCounts(z, y)]));
  const read = await packed.data();
  // [loss, top-1 errors, top-k errors] of this shard, summed over ranks with the gradients.
  const count = z.shape[0];
  const extra = Float32Array.of(read[0], count - read[1], count - read[2]);
  tf.dispose([value, z, y, packed]);
  const summed = await reduceShared(comm, r, named, h, stats, extra);
  if (!root) {
    r.optimizer.apply(summed, h.lr);
    tf.dispose(Object.values(summed));
    return null;
  }
  return {
    loss: extra[0],
    top1: Math.round(extra[1]),
    top5: Math.round(extra[2]),
    count: n,
    grads: summed,
  };
}

/** SHA-256 of a replica's shared weights (what every rank must agree on). */
async function sharedSha(r: Replica): Promise<Float32Array> {
  const all = await Promise.all(r.shared.map((w) => w.variable.data() as Promise<Float32Array>));
  const hash = createHash('sha256');
  for (const d of all) hash.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  const digest = hash.digest();
  return new Float32Array(new Uint8Array(digest).buffer);
}

/**
 * Ends the workers' loops and checks the replicas stayed identical: every rank's shared weights
 * must hash the same as rank 0's (the same summed gradients, the same update).
 */
export async function rootStop(
  comm: Collectives,
  r: Replica,
  step: number,
  summary: unknown,
): Promise<void> {
  comm.context = { step, phase: 'stop' };
  const header = { cmd: 'stop', step, summary };
  await comm.bcast(encodeJson(header));
  const mine = await sharedSha(r);
  const all = (await comm.gatherv(mine, new Array(comm.size).fill(8))) as Float32Array;
  const ref = Buffer.from(mine.buffer).toString('hex');
  for (let k = 1; k < comm.size; k++) {
    const other = Buffer.from(all.slice(8 * k, 8 * k + 8).buffer).toString('hex');
    if (other !== ref) {
      throw new ParallelError(
        `Rank ${k}'s replica weights differ from rank 0's after step ${step} (sha256 ${other} vs ${ref}): the replicas diverged.`,
        k,
        step,
      );
    }
  }
}

/**
 * The loop of every rank but 0: takes rank 0's step messages until `stop`; returns what rank 0
 * sent with it (the run's summary).
 */
export async function workerLoop(
  comm: Collectives,
  r: Replica,
  timeout?: CollectiveTimeout,
): Promise<unknown> {
  const stats: CommStats = { lastMs: 0, totalMs: 0, steps: 0 };
  for (;;) {
    const h = decodeJson<StepHeader & { summary?: unknown }>(await comm.bcast(null));
    if (h.cmd === 'stop') {
      await comm.gatherv(await sharedSha(r), new Array(comm.size).fill(8));
      return h.summary;
    }
    const t0 = performance.now();
    await shardStep(comm, r, h, null, null, stats);
    if (timeout !== undefined) {
      timeout.observe(performance.now() - t0);
      comm.timeoutMs = timeout.ms;
    }
  }
}
