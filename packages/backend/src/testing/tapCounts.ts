import * as tf from '@tensorflow/tfjs';

/**
 * dW of sum(conv2d(ones [1, 5, 5, 1], W 3×3, stride 1, 'same')) on the current backend: with
 * x = 1 and dy = 1 each tap's gradient counts the positions where it lands in bounds (4×4 at a
 * corner, 5×5 at the centre), a closed form any training kernel must reproduce.
 */
export function tapCounts(): Float32Array {
  return tf.tidy(
    () =>
      tf
        .grad((w: tf.Tensor) =>
          tf.conv2d(tf.ones([1, 5, 5, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').sum(),
        )(tf.ones([3, 3, 1, 1]))
        .dataSync() as Float32Array,
  );
}
