import type * as tf from '@tensorflow/tfjs';

/**
 * The weight name every PReLU slope variable carries (`<layer name>/prelu_alpha`, with tfjs's
 * `_<n>` uniqueness suffix when a name repeats). It is the documented marker a trainer reads to
 * exempt the slopes from weight decay (Sec. 2.1). A name, not a side table, because names are what
 * survive `model.save` / `tf.loadLayersModel`: the loaded model rebuilds its layers, and with them
 * the same weight names.
 */
export const PRELU_SLOPE_WEIGHT_NAME = 'prelu_alpha';

const marker = new RegExp(`(?:^|/)${PRELU_SLOPE_WEIGHT_NAME}(?:_\\d+)?$`);

/**
 * True when `weight` must get no weight decay: the PReLU slopes (Sec. 2.1: "we do not use weight
 * decay (l2 regularization) when updating a_i"). Accepts a `tf.LayerVariable`
 * (`model.trainableWeights`), the underlying `tf.Variable`, or anything with a `name`.
 */
export function isDecayFree(
  weight: tf.LayerVariable | tf.Variable | { name: string; originalName?: string },
): boolean {
  const w = weight as { name: string; originalName?: string };
  return marker.test(w.name) || (w.originalName !== undefined && marker.test(w.originalName));
}
