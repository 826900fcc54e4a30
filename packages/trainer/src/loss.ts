import * as tf from '@tensorflow/tfjs';

/**
 * Softmax cross-entropy from logits, summed over the batch and divided by `normalizer`:
 *
 *   L = (1/N) · Σ_i [ log Σ_c exp(z_ic) − z_i,y_i ]
 *
 * with z [batch, classes] the logits, y [batch] int32 labels and N = `normalizer` (default the
 * batch size). Computed as −log_softmax(z)[y] (tf.logSoftmax subtracts the row maximum, so large
 * logits do not overflow); never as the log of a softmax output. Passing N explicitly lets a
 * sub-batch (gradient accumulation) or a shard contribute its share of the mean over the whole
 * mini-batch, so the summed gradients equal the full batch's.
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  normalizer: number = logits.shape[0],
): tf.Scalar {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logP, tf.oneHot(labels, logits.shape[1])));
    return tf.div(tf.neg(picked), normalizer) as tf.Scalar;
  });
}

/** A loss from logits and int32 labels, normalised by `normalizer` examples (see {@link softmaxCrossEntropy}). */
export type LossFn = (logits: tf.Tensor2D, labels: tf.Tensor1D, normalizer: number) => tf.Scalar;

/**
 * Top-1 and top-k hits of a batch (k = min(5, classes)) as a float32 tensor [2]: an example is a
 * top-k hit when its label is among the k largest logits (ties broken by tf.topk). Float32 so
 * that a step can pack it beside its loss and read both in one download (exact: counts < 2^24).
 */
export function hitCounts(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const k = Math.min(5, logits.shape[1]);
  return tf.tidy(() => {
    const { indices } = tf.topk(logits, k);
    const eq = tf.equal(indices, tf.expandDims(labels, 1));
    const hits = tf.stack([
      tf.sum(tf.cast(tf.slice(eq, [0, 0], [-1, 1]), 'int32')),
      tf.sum(tf.cast(tf.any(eq, 1), 'int32')),
    ]);
    return tf.cast(hits, 'float32') as tf.Tensor1D;
  });
}

/**
 * Top-1 and top-k misclassification counts of a batch (k = min(5, classes)): an example counts
 * as a top-k error when its label is not among the k largest logits (ties broken by tf.topk).
 * Asynchronous: the counts are read with `data()`, which every backend supports (webgpu in Node
 * has no synchronous read).
 */
export async function errorCounts(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
): Promise<{ top1: number; top5: number; count: number }> {
  const hits = hitCounts(logits, labels);
  const [hit1, hitK] = await hits.data();
  hits.dispose();
  const count = logits.shape[0];
  return { top1: count - hit1, top5: count - hitK, count };
}
