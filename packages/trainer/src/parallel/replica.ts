import * as tf from '@tensorflow/tfjs';
import { ParallelError } from '../errors';
import type { LossFn } from '../loss';
import { SgdOptimizer } from '../sgd';
import type { ModelParts } from '../step';
import type { NamedWeight } from '../weights';
import { type Collectives, decodeJson, floatsOf } from './collectives';

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

/** A parts object for step.ts's helpers (only the fields they read). */
export function partsOf(r: Replica): ModelParts {
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
}

const floatsOfWeights = (ws: NamedWeight[]) =>
  Promise.all(ws.map((w) => w.variable.data() as Promise<Float32Array>));

/** Sends the weights (and momentum buffers) every replica starts from: rank 0's, after any resume. */
export async function sendInitialState(
  comm: Collectives,
  root: Replica,
  init: InitMessage,
): Promise<void> {
  const [weights, { buffers }] = await Promise.all([
    floatsOfWeights(root.shared),
    root.optimizer.getState(),
  ]);
  const byName = new Map(buffers.map((b) => [b.name, b.data]));
  const parts = [...weights, ...init.buffers.map((b) => byName.get(b.name) as Float32Array)];
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
    buffers: r.optimizer.bufferShapes().filter((b) => shared.has(b.name)),
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
