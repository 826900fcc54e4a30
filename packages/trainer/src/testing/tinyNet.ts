import { prelu } from '@rectifier/activations';
import { createLoader } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';

/**
 * A trunk + head net small enough for tests that run hundreds of steps (conv 3×3 + PReLU, then
 * dense + PReLU + dropout + dense logits), seeded so every build has the same weights. Seeds are
 * ≥ 1: tfjs treats seed 0 as "no seed".
 */
export function tinyNet({ side = 8, classes = 3, dropout = 0.5, seed = 1 } = {}) {
  const image = tf.input({ name: 'image', shape: [side, side, 1] });
  const conv = tf.layers
    .conv2d({
      name: 'conv1',
      filters: 4,
      kernelSize: 3,
      kernelInitializer: tf.initializers.glorotNormal({ seed }),
    })
    .apply(image) as tf.SymbolicTensor;
  const act = prelu({ name: 'act1' }).apply(conv) as tf.SymbolicTensor;
  const trunk = tf.model({ name: 'trunk', inputs: image, outputs: act });
  const map = tf.input({ name: 'map', shape: act.shape.slice(1) as number[] });
  let x = tf.layers.flatten({ name: 'flat' }).apply(map) as tf.SymbolicTensor;
  x = tf.layers
    .dense({
      name: 'fc1',
      units: 8,
      kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }),
    })
    .apply(x) as tf.SymbolicTensor;
  x = prelu({ name: 'act2' }).apply(x) as tf.SymbolicTensor;
  if (dropout > 0)
    x = tf.layers.dropout({ name: 'drop1', rate: dropout }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({
      name: 'fc2',
      units: classes,
      kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }),
    })
    .apply(x) as tf.SymbolicTensor;
  return trunkAndHead('tiny', image, trunk, map, x);
}

/**
 * The test nets' three models, split as the paper's (and the step functions'): `trunk` maps
 * `image` to the feature map that the input `map` stands for, `logits` is computed from `map`, and
 * `model` is the head applied to the trunk, sharing their weights.
 */
export function trunkAndHead(
  name: string,
  image: tf.SymbolicTensor,
  trunk: tf.LayersModel,
  map: tf.SymbolicTensor,
  logits: tf.SymbolicTensor,
) {
  const head = tf.model({ name: 'head', inputs: map, outputs: logits });
  const model = tf.model({
    name,
    inputs: image,
    outputs: head.apply(trunk.apply(image)) as tf.SymbolicTensor,
  });
  return { trunk, head, model };
}

/**
 * A synthetic, learnable data set: class c images are noise plus a bright c-th third of the
 * image. Pixels depend only on (index, rng), as the loader requires.
 */
export function tinyLoader({
  size = 48,
  batchSize = 8,
  side = 8,
  classes = 3,
  seed = 3,
  shuffle = true,
} = {}) {
  return createLoader({
    size,
    batchSize,
    seed,
    shuffle,
    label: (i) => i % classes,
    load: async (i, rng) => {
      const data = new Float32Array(side * side);
      const c = i % classes;
      for (let p = 0; p < data.length; p++) {
        const row = Math.floor(p / side);
        data[p] = 0.3 * rng.normal() + (Math.floor((row * classes) / side) === c ? 1 : 0);
      }
      return { data, height: side, width: side, channels: 1 };
    },
  });
}
