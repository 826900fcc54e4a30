import * as tf from '@tensorflow/tfjs';
import { TrainerArgumentError } from './errors';
import { hitCounts, type LossFn, softmaxCrossEntropy } from './loss';
import { type NamedWeight, namedWeights } from './weights';

/**
 * A model as the trainer sees it: an optional convolutional `trunk` and a `head` that maps the
 * trunk's output to logits. `BuiltModel` from @rectifier/architectures fits as is (its `model`
 * is the whole net, whose weight order `weightsSha256` follows); any single tfjs LayersModel
 * is a head without a trunk.
 */
export interface ModelParts {
  trunk: tf.LayersModel | null;
  head: tf.LayersModel;
  /** The whole net (trunk then head); its `weights` order is the checkpoint and hash order. */
  whole: tf.LayersModel;
  trunkWeights: NamedWeight[];
  headWeights: NamedWeight[];
}

/** What `train` accepts as `model`. */
export type TrainableModel =
  | tf.LayersModel
  | { trunk: tf.LayersModel; head: tf.LayersModel; model: tf.LayersModel };

function endsInSoftmax(m: tf.LayersModel): boolean {
  const last = m.layers[m.layers.length - 1];
  const config = last?.getConfig() as { activation?: unknown } | undefined;
  return config?.activation === 'softmax';
}

/**
 * Splits `model` into parts and names their weights. A head that ends in a softmax is refused:
 * the loss needs logits, and the log of a softmax output loses precision (and overflows to
 * −Inf) where log_softmax does not.
 */
export function modelParts(model: TrainableModel): ModelParts {
  const isLayers = model instanceof tf.LayersModel;
  const trunk = isLayers ? null : model.trunk;
  const head = isLayers ? model : model.head;
  const whole = isLayers ? model : model.model;
  if (!(head instanceof tf.LayersModel) || (trunk !== null && !(trunk instanceof tf.LayersModel))) {
    throw new TrainerArgumentError(
      `\`model\` must be a tf.LayersModel or { trunk, head, model } of LayersModels (a BuiltModel). Received: ${typeof model}`,
    );
  }
  if (endsInSoftmax(head)) {
    throw new TrainerArgumentError(
      `\`model\` ends in a softmax layer (${head.layers[head.layers.length - 1].name}); the loss is computed from logits. ` +
        'Build it with `softmax: false` (buildModel(name, { softmax: false })) or end it with a linear layer.',
    );
  }
  const trunkWeights = trunk === null ? [] : namedWeights(trunk);
  const headWeights = namedWeights(head);
  const names = new Set(trunkWeights.map((w) => w.name));
  const clash = headWeights.find((w) => names.has(w.name));
  if (clash) {
    throw new TrainerArgumentError(
      `The trunk and the head both have a weight named \`${clash.name}\`; give their layers distinct names.`,
    );
  }
  return { trunk, head, whole, trunkWeights, headWeights };
}

// tfjs-layers exports Dropout's type but not its class; an instance leads to it.
const TfjsDropout = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })).constructor;

/**
 * The hook a dropout layer implements to be reseeded by the trainer at every step (the
 * architectures' SeededDropout does: it also restarts its mask counter). A registered symbol,
 * so the layer's package and this one need not import each other.
 */
export const reseedDropout: unique symbol = Symbol.for('@rectifier/reseedDropout');

/** A dropout layer the trainer reseeds through {@link reseedDropout}. */
export interface ReseedableDropout {
  [reseedDropout](seed: number): void;
}

function isReseedable(l: object): l is ReseedableDropout {
  return typeof (l as Partial<ReseedableDropout>)[reseedDropout] === 'function';
}

/** The dropout layers of a model, in layer order: tfjs's own `Dropout` and reseedable ones. */
export function dropoutLayers(m: tf.LayersModel | null): tf.layers.Layer[] {
  if (m === null) return [];
  return m.layers.filter((l) => l.constructor === TfjsDropout || isReseedable(l));
}

/**
 * Gives every dropout layer of the parts its own seed for this (sub-)batch, so each mask is a
 * function of (run seed, optimizer step, sub-batch, layer) only. tfjs's Dropout draws its mask
 * from `this.seed` on every call: unseeded, from Math.random (not reproducible, so no exact
 * resume); at one fixed seed, the same mask at every step. SeededDropout (architectures) mixes a
 * call counter into its seed; its hook restarts the counter, because after a resume it would
 * count from 0 while an uninterrupted run's counter does not. `base` ≥ 1: tfjs reads seed 0 as
 * "no seed".
 */
export function seedDropout(parts: ModelParts, base: number): void {
  const layers = [...dropoutLayers(parts.trunk), ...dropoutLayers(parts.head)];
  layers.forEach((l, i) => {
    if (isReseedable(l)) l[reseedDropout](base + i);
    else (l as unknown as { seed?: number }).seed = base + i;
  });
}

export interface HeadResult {
  /** Loss of this batch's share (sum over its examples / normaliser). */
  loss: tf.Scalar;
  logits: tf.Tensor2D;
  /** dLoss/dFeatures, the gradient to send back to the trunk (or the trunk's shards). */
  featureGrad: tf.Tensor;
  /** Gradients of the head's weights, by name. */
  grads: Record<string, tf.Tensor>;
}

/**
 * The head's half of a step: forward and backward on `features` (the trunk's output for the
 * whole mini-batch, Sec. 3's "fc layers on one GPU"), returning the head's weight gradients and
 * the gradient of the loss with respect to `features`. The caller owns every returned tensor.
 */
export function headGradients(
  parts: ModelParts,
  features: tf.Tensor,
  labels: tf.Tensor1D,
  {
    loss = softmaxCrossEntropy,
    normalizer = labels.shape[0],
    training = true,
  }: { loss?: LossFn; normalizer?: number; training?: boolean } = {},
): HeadResult {
  let logits: tf.Tensor2D | undefined;
  const xs = [...parts.headWeights.map((w) => w.variable), features];
  const { value, grads } = tf.engine().gradients(() => {
    logits = tf.keep(parts.head.apply(features, { training }) as tf.Tensor2D);
    return loss(logits, labels, normalizer);
  }, xs);
  const named: Record<string, tf.Tensor> = {};
  parts.headWeights.forEach((w, i) => {
    named[w.name] = grads[i];
  });
  return {
    loss: value as tf.Scalar,
    logits: logits as tf.Tensor2D,
    featureGrad: grads[grads.length - 1],
    grads: named,
  };
}

/**
 * The trunk's half of a step: forward on `images` (one worker's shard) and backward from
 * `featureGrad` (dLoss/dFeatures for that shard, from {@link headGradients}), returning the
 * trunk's weight gradients by name. The forward is recomputed here: tfjs keeps no tape across
 * calls, and a worker waits for the head between its forward and its backward.
 */
export function trunkGradients(
  parts: ModelParts,
  images: tf.Tensor,
  featureGrad: tf.Tensor,
  { training = true } = {},
): Record<string, tf.Tensor> {
  const trunk = parts.trunk;
  if (trunk === null) return {};
  const { value, grads } = tf.engine().gradients(
    () => trunk.apply(images, { training }) as tf.Tensor,
    parts.trunkWeights.map((w) => w.variable),
    featureGrad,
  );
  value.dispose();
  const named: Record<string, tf.Tensor> = {};
  parts.trunkWeights.forEach((w, i) => {
    named[w.name] = grads[i];
  });
  return named;
}

export interface StepGradients {
  /** Loss of the batch (mean over `normalizer` examples). */
  loss: number;
  /** Top-1 / top-5 errors and examples of the batch. */
  top1: number;
  top5: number;
  count: number;
  /** Gradients of every weight (trunk and head), by name; the caller disposes them. */
  grads: Record<string, tf.Tensor>;
}

export interface StepGradientOptions {
  loss?: LossFn;
  /** Examples the loss is averaged over (default: the batch size). */
  normalizer?: number;
  /** Split the batch into this many sub-batches and sum their gradients (default 1). */
  accumulate?: number;
  /**
   * Compute as the multi-device scheme does — head on the batch, then the trunk from the
   * feature gradient — instead of one fused backward pass (default false; both give the same
   * gradients up to float rounding).
   */
  split?: boolean;
  /** Seed base for this step's dropout masks (≥ 1); sub-batch k uses base + 1000·k. */
  dropoutSeed?: number;
}

function addInto(acc: Record<string, tf.Tensor>, grads: Record<string, tf.Tensor>): void {
  for (const [k, g] of Object.entries(grads)) {
    const prev = acc[k];
    if (prev === undefined) acc[k] = g;
    else {
      acc[k] = tf.add(prev, g);
      prev.dispose();
      g.dispose();
    }
  }
}

/**
 * Gradients of one mini-batch: `accumulate` sub-batches, each normalised by the whole batch's
 * size so their sum is the full batch's gradient (up to summation order). With `split`, each
 * sub-batch runs head-then-trunk ({@link headGradients}, {@link trunkGradients}); otherwise one
 * fused backward pass over trunk and head. Asynchronous: each sub-batch's loss and hit counts
 * are packed into one small tensor and the step reads them all in one `data()` at its end (webgpu
 * has no synchronous read in Node; one download per step, not one per sub-batch and value).
 */
export async function stepGradients(
  parts: ModelParts,
  images: tf.Tensor,
  labels: tf.Tensor1D,
  options: StepGradientOptions = {},
): Promise<StepGradients> {
  const n = labels.shape[0];
  const { loss = softmaxCrossEntropy, normalizer = n, accumulate = 1, split = false } = options;
  const size = Math.ceil(n / accumulate);
  const acc: Record<string, tf.Tensor> = {};
  // Per sub-batch: [loss, top-1 hits, top-k hits] and its example count.
  const packed: tf.Tensor1D[] = [];
  const counts: number[] = [];
  const all = [...parts.trunkWeights, ...parts.headWeights];
  for (let k = 0, start = 0; start < n; k++, start += size) {
    const len = Math.min(size, n - start);
    const x = accumulate === 1 ? images : tf.slice(images, start, len);
    const y = accumulate === 1 ? labels : (tf.slice(labels, start, len) as tf.Tensor1D);
    if (options.dropoutSeed !== undefined) seedDropout(parts, options.dropoutSeed + 1000 * k);
    let value: tf.Scalar;
    let logits: tf.Tensor2D;
    if (split && parts.trunk !== null) {
      const trunk = parts.trunk;
      const features = tf.tidy(() => trunk.apply(x, { training: true }) as tf.Tensor);
      const head = headGradients(parts, features, y, { loss, normalizer });
      features.dispose();
      addInto(acc, head.grads);
      addInto(acc, trunkGradients(parts, x, head.featureGrad));
      head.featureGrad.dispose();
      value = head.loss;
      logits = head.logits;
    } else {
      let kept: tf.Tensor2D | undefined;
      const trunk = parts.trunk;
      const result = tf.engine().gradients(
        () => {
          const features = trunk === null ? x : (trunk.apply(x, { training: true }) as tf.Tensor);
          kept = tf.keep(parts.head.apply(features, { training: true }) as tf.Tensor2D);
          return loss(kept, y, normalizer);
        },
        all.map((w) => w.variable),
      );
      const named: Record<string, tf.Tensor> = {};
      all.forEach((w, i) => {
        named[w.name] = result.grads[i];
      });
      addInto(acc, named);
      value = result.value as tf.Scalar;
      logits = kept as tf.Tensor2D;
    }
    const v = value;
    const z = logits;
    packed.push(tf.tidy(() => tf.concat([tf.reshape(v, [1]), hitCounts(z, y)]) as tf.Tensor1D));
    counts.push(len);
    tf.dispose([value, logits]);
    if (accumulate !== 1) tf.dispose([x, y]);
  }
  const together = packed.length === 1 ? packed[0] : tf.concat(packed);
  const read = await together.data();
  tf.dispose([together, ...packed]);
  // Summed in sub-batch order, as the values were read one by one before.
  let lossSum = 0;
  let top1 = 0;
  let top5 = 0;
  counts.forEach((c, k) => {
    lossSum += read[3 * k];
    top1 += c - read[3 * k + 1];
    top5 += c - read[3 * k + 2];
  });
  return { loss: lossSum, top1, top5, count: n, grads: acc };
}
