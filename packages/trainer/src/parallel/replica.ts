import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { ParallelError } from '../errors';
import { errorCounts, type LossFn, softmaxCrossEntropy } from '../loss';
import { SgdOptimizer } from '../sgd';
import { type ModelParts, type StepGradients, seedDropout } from '../step';
import type { NamedWeight } from '../weights';
import {
  allreduceBuckets,
  type Collectives,
  decodeJson,
  encodeJson,
  floatsOf,
  offsets,
  shardCounts,
} from './collectives';
import { type RecordedForward, recordForward } from './tape';

/**
 * The two multi-device schemes, one step each, for rank 0 (which holds the loader, the metrics
 * and the checkpoints) and for every other rank.
 *
 * `hybrid` — Sec. 3 of the paper ("Multi-GPU Implementation"): every rank runs the trunk (the
 * conv layers) forward on its shard of the mini-batch; the trunk outputs are gathered to rank 0,
 * which runs the head (SPP + fc layers) forward and backward on the whole mini-batch and scatters
 * dLoss/dFeatures back; every rank runs the trunk backward on its shard; the trunk gradients are
 * summed over ranks (fused allreduce). Rank 0 updates trunk and head; every other rank updates its
 * trunk replica with the same summed gradients, so the replicas stay identical. Bytes per step:
 * features forward and back (2·B·|f| floats) plus the trunk gradients (|θ_trunk|).
 *
 * `data` — every layer replicated; each rank runs trunk and head on its shard and all gradients
 * are summed (|θ_trunk| + |θ_head|, ~7× more for model A whose fc1 alone has 132 M weights).
 *
 * Why the result does not depend on the number of ranks: the loss of every shard is divided by
 * the WHOLE mini-batch's size, so the summed gradient is the full batch's gradient (up to float
 * summation order); rank 0's loader makes the whole batch, so the per-example augmentation is
 * the one-process augmentation; dropout masks are drawn for the whole batch (see
 * `shardDropout` in replica.ts), so each example gets the mask it gets in one process.
 */
export type ParallelMode = 'hybrid' | 'data';

/** What one rank trains: its trunk, its head (data mode, or rank 0), weights bound for the update. */
export interface Replica {
  mode: ParallelMode;
  trunk: tf.LayersModel | null;
  head: tf.LayersModel | null;
  /** Weights whose gradients are summed over ranks: the trunk's (hybrid) or all (data). */
  shared: NamedWeight[];
  /** Head weights rank 0 alone updates (hybrid), else []. */
  own: NamedWeight[];
  optimizer: SgdOptimizer;
  loss: LossFn;
}

// tfjs-layers exports Dropout's type but not its class; an instance leads to it.
const DropoutClass = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })).constructor;

function dropouts(...models: (tf.LayersModel | null)[]): tf.layers.Layer[] {
  return models.flatMap((m) =>
    m === null ? [] : m.layers.filter((l) => l instanceof DropoutClass),
  );
}

/** Where this rank's shard sits in the whole mini-batch, read by {@link shardDropout}. */
export interface ShardWindow {
  offset: number;
  total: number;
}

/**
 * Makes every dropout layer of `models` draw its mask as if it saw the whole mini-batch: a
 * shard of `len` rows at `window.offset` is zero-padded to `window.total` rows, passed through
 * the layer's own call (tf.dropout draws the [total, …] uniform noise from the layer's seed, in
 * row-major order), and the shard's rows are sliced back out. Example i thus gets row i of the
 * one-process mask whatever the sharding — for tfjs's Dropout and for @rectifier/architectures'
 * SeededDropout alike, since neither call is reimplemented. Costs one dropout over `total` rows.
 */
export function shardDropout(models: (tf.LayersModel | null)[], window: ShardWindow): void {
  for (const layer of dropouts(...models)) {
    const l = layer as unknown as {
      call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor;
    };
    const original = l.call.bind(layer);
    l.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const len = x.shape[0] as number;
      if (kwargs?.training !== true || len === window.total) return original(inputs, kwargs);
      return tf.tidy(() => {
        const pads = x.shape.map((_, i): [number, number] =>
          i === 0 ? [window.offset, window.total - window.offset - len] : [0, 0],
        );
        const full = original(tf.pad(x, pads), kwargs);
        return tf.slice(full, window.offset, len);
      });
    };
  }
}

/** Training-call counters of SeededDropout layers (`step`), so replicas replay the same masks. */
export function dropoutSteps(...models: (tf.LayersModel | null)[]): (number | null)[] {
  return dropouts(...models).map((l) => {
    const s = (l as unknown as { step?: unknown }).step;
    return typeof s === 'number' ? s : null;
  });
}

function setDropoutSteps(steps: (number | null)[], ...models: (tf.LayersModel | null)[]): void {
  dropouts(...models).forEach((l, i) => {
    const s = steps[i];
    if (s !== null && s !== undefined) (l as unknown as { step: number }).step = s;
  });
}

/** A parts object for step.ts's helpers (only the fields they read). */
function partsOf(r: Replica): ModelParts {
  const trunkWeights = r.mode === 'hybrid' ? r.shared : r.shared.filter((w) => isIn(w, r.trunk));
  const headWeights = r.mode === 'hybrid' ? r.own : r.shared.filter((w) => !isIn(w, r.trunk));
  return {
    trunk: r.trunk,
    head: r.head as tf.LayersModel,
    whole: r.head as tf.LayersModel,
    trunkWeights,
    headWeights,
  };
}

function isIn(w: NamedWeight, m: tf.LayersModel | null): boolean {
  return m?.trainableWeights.some((lv) => lv.read() === w.variable) ?? false;
}

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

/** Start-up message from rank 0: everything a worker needs besides the tensors. */
export interface InitMessage {
  mode: ParallelMode;
  backend: string;
  imports: string[];
  /** Topologies (`model.toJSON(null, false)`) for workers that build their own replica (local). */
  trunk: unknown;
  head: unknown;
  optimizer: {
    learningRate: number;
    momentum: number;
    weightDecay: number;
    /** Rank 0's resolved multipliers of the shared weights, one exact-name rule each. */
    groups: { name: string; lrMult: number; decayMult: number }[];
  };
  shared: { name: string; size: number }[];
  buffers: { name: string; shape: number[] }[];
  dropoutSteps: (number | null)[];
}

const floatsOfWeights = (ws: NamedWeight[]) => ws.map((w) => w.variable.dataSync() as Float32Array);

/** Sends the weights (and momentum buffers) every replica starts from: rank 0's, after any resume. */
export async function sendInitialState(
  comm: Collectives,
  root: Replica,
  init: InitMessage,
): Promise<void> {
  const state = root.optimizer.getState().buffers;
  const byName = new Map(state.map((b) => [b.name, b.data]));
  const parts = [
    ...floatsOfWeights(root.shared),
    ...init.buffers.map((b) => byName.get(b.name) as Float32Array),
  ];
  const total = parts.reduce((a, p) => a + p.length, 0);
  const blob = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    blob.set(p, at);
    at += p.length;
  }
  await comm.bcast(new Uint8Array(blob.buffer));
}

/** Receives the initial message (before a replica exists). */
export async function receiveInit(comm: Collectives): Promise<InitMessage> {
  return decodeJson<InitMessage>(await comm.bcast(null));
}

/** Puts rank 0's weights and buffers into this replica. */
export async function receiveInitialState(
  comm: Collectives,
  r: Replica,
  init: InitMessage,
): Promise<void> {
  const blob = floatsOf(await comm.bcast(null));
  const names = r.shared.map((w) => w.name);
  const expected = init.shared.map((w) => w.name);
  if (names.join() !== expected.join()) {
    throw new ParallelError(
      `Rank ${comm.rank}'s model differs from rank 0's: weights [${names.join(', ')}] vs [${expected.join(', ')}]; every rank must train the same model.`,
      comm.rank,
    );
  }
  let at = 0;
  for (const w of r.shared) {
    const n = w.variable.size;
    tf.tidy(() => w.variable.assign(tf.tensor(blob.subarray(at, at + n), w.variable.shape)));
    at += n;
  }
  const buffers = init.buffers.map((b) => {
    const n = b.shape.reduce((a, c) => a * c, 1);
    const data = blob.slice(at, at + n);
    at += n;
    return { name: b.name, shape: b.shape, data };
  });
  r.optimizer.setState({ buffers });
  setDropoutSteps(init.dropoutSteps, r.trunk, r.head);
}

/** The init message rank 0 sends for its replica. */
export function initMessage(
  r: Replica,
  backend: string,
  imports: string[],
  withTopology: boolean,
): InitMessage {
  const shared = new Set(r.shared.map((w) => w.name));
  return {
    mode: r.mode,
    backend,
    imports,
    trunk: withTopology && r.trunk !== null ? r.trunk.toJSON(null, false) : null,
    head: withTopology && r.mode === 'data' && r.head !== null ? r.head.toJSON(null, false) : null,
    optimizer: {
      learningRate: r.optimizer.learningRate,
      momentum: r.optimizer.momentum,
      weightDecay: r.optimizer.weightDecay,
      groups: r.optimizer
        .multipliers()
        .filter((m) => shared.has(m.name))
        .map((m) => ({ name: m.name, lrMult: m.lrMult, decayMult: m.decayMult })),
    },
    shared: r.shared.map((w) => ({ name: w.name, size: w.variable.size })),
    buffers: r.optimizer
      .getState()
      .buffers.filter((b) => shared.has(b.name))
      .map((b) => ({ name: b.name, shape: b.shape })),
    dropoutSteps: dropoutSteps(r.trunk, r.head),
  };
}

/**
 * The optimizer of a replica other than rank 0's: the same SGD, one exact-name rule per shared
 * weight with rank 0's resolved multipliers, bound to the shared weights only.
 */
export function replicaOptimizer(init: InitMessage, shared: NamedWeight[]): SgdOptimizer {
  const o = new SgdOptimizer({
    learningRate: init.optimizer.learningRate,
    momentum: init.optimizer.momentum,
    weightDecay: init.optimizer.weightDecay,
    groups: init.optimizer.groups,
  });
  o.bind(shared);
  return o;
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
  comm.context = { step: h.step, phase: 'scatter of images' };
  const x = await timed(stats, () =>
    comm.scatterv(
      root ? ((images as tf.Tensor).dataSync() as Float32Array) : null,
      h.counts.map((c) => c * per),
    ),
  );
  const xs = tf.tensor(x, [mine, ...h.example]);
  if (h.dropoutSeed !== null) seedDropout(parts, h.dropoutSeed);
  const window = { offset: at, total: n };
  setWindow(r, window);
  try {
    if (r.mode === 'hybrid') return await hybridShard(comm, r, parts, h, xs, labels, stats);
    return await dataShard(comm, r, parts, h, xs, labels, stats);
  } finally {
    xs.dispose();
  }
}

const windows = new WeakMap<Replica, ShardWindow>();

/** Installs the dropout window once per replica and moves it for each step. */
function setWindow(r: Replica, w: ShardWindow): void {
  let current = windows.get(r);
  if (current === undefined) {
    current = { offset: 0, total: 0 };
    windows.set(r, current);
    shardDropout([r.trunk, r.head], current);
  }
  current.offset = w.offset;
  current.total = w.total;
}

async function hybridShard(
  comm: Collectives,
  r: Replica,
  parts: ModelParts,
  h: StepHeader,
  xs: tf.Tensor,
  labels: tf.Tensor1D | null,
  stats: CommStats,
): Promise<StepGradients | null> {
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
  comm.context = { step: h.step, phase: 'gather of trunk features' };
  const all = await timed(stats, () => comm.gatherv(features.dataSync() as Float32Array, fcounts));
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
    fgAll = fg.dataSync() as Float32Array;
    const e = errorCounts(logits as tf.Tensor2D, y);
    head = {
      loss: (value.dataSync() as Float32Array)[0],
      top1: e.top1,
      top5: e.top5,
      grads: named,
    };
    tf.dispose([F, value, logits as tf.Tensor2D, fg]);
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
  const arrays = r.shared.map((w) => grads[w.name].dataSync() as Float32Array);
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

async function dataShard(
  comm: Collectives,
  r: Replica,
  parts: ModelParts,
  h: StepHeader,
  xs: tf.Tensor,
  labels: tf.Tensor1D | null,
  stats: CommStats,
): Promise<StepGradients | null> {
  const root = comm.rank === 0;
  const n = h.counts.reduce((a, b) => a + b, 0);
  comm.context = { step: h.step, phase: 'scatter of labels' };
  const ys = await timed(stats, () =>
    comm.scatterv(root ? Float32Array.from((labels as tf.Tensor1D).dataSync()) : null, h.counts),
  );
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
  const e = errorCounts(logits as tf.Tensor2D, y);
  const extra = Float32Array.of((value.dataSync() as Float32Array)[0], e.top1, e.top5);
  tf.dispose([value, logits as tf.Tensor2D, y]);
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
function sharedSha(r: Replica): Float32Array {
  const hash = createHash('sha256');
  for (const w of r.shared) {
    const d = w.variable.dataSync() as Float32Array;
    hash.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
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
  const mine = sharedSha(r);
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
export async function workerLoop(comm: Collectives, r: Replica): Promise<unknown> {
  const stats: CommStats = { lastMs: 0, totalMs: 0, steps: 0 };
  for (;;) {
    const h = decodeJson<StepHeader & { summary?: unknown }>(await comm.bcast(null));
    if (h.cmd === 'stop') {
      await comm.gatherv(sharedSha(r), new Array(comm.size).fill(8));
      return h.summary;
    }
    await shardStep(comm, r, h, null, null, stats);
  }
}

/** The default loss unless the caller gave one (then every rank must have it: MPI ranks do). */
export const defaultLoss: LossFn = softmaxCrossEntropy;
