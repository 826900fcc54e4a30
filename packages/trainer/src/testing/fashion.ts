import { prelu } from '@rectifier/activations';
import { createLoader, idxExample, loadFashionMnistSubset } from '@rectifier/data';
import { msra } from '@rectifier/initializers';
import * as tf from '@tensorflow/tfjs';
import { trunkAndHead } from './tinyNet';

/** Fashion-MNIST's pixel mean and std on [0, 1] (training set; the usual published values). */
const MEAN = 0.286;
const STD = 0.353;

/**
 * Loaders over the Fashion-MNIST subset bundled with @rectifier/data (1,800 train / 400 test),
 * images standardised (and enlarged `scale`× by pixel repetition if asked: the CPU-scale small net
 * of @rectifier/architectures needs 112×112 inputs), training examples flipped with probability ½.
 */
export function fashionLoaders({ batchSize = 32, scale = 1, seed = 1 } = {}) {
  const load = (split: 'train' | 'test', flip: boolean) => {
    const ds = loadFashionMnistSubset(split);
    const side = ds.width * scale;
    return createLoader({
      size: ds.count,
      batchSize,
      seed,
      shuffle: split === 'train',
      label: (i) => ds.labels[i],
      load: async (i, rng) => {
        const src = idxExample(ds, i).data;
        const mirror = flip && rng.next() < 0.5;
        const data = new Float32Array(side * side);
        for (let y = 0; y < side; y++) {
          const sy = Math.floor(y / scale) * ds.width;
          for (let x = 0; x < side; x++) {
            const sx = Math.floor((mirror ? side - 1 - x : x) / scale);
            data[y * side + x] = (src[sy + sx] - MEAN) / STD;
          }
        }
        return { data, height: side, width: side, channels: 1 };
      },
    });
  };
  return { train: load('train', true), val: load('test', false) };
}

/**
 * A small PReLU net for 28×28 Fashion-MNIST, split as the paper's models: trunk = conv 3×3 16 +
 * PReLU + pool 2, conv 3×3 32 + PReLU + pool 2; head = fc 64 + PReLU + dropout ½ + fc 10
 * (logits). MSRA fan-out initialisation with the PReLU slope (Eqn 16), slopes start at 0.25.
 */
export function smallFashionNet(seed = 1) {
  const conv = (name: string, filters: number, s: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: msra({ mode: 'fanOut', slope: 0.25, seed: s }),
    });
  const image = tf.input({ name: 'image', shape: [28, 28, 1] });
  let x = conv('conv1', 16, seed).apply(image) as tf.SymbolicTensor;
  x = prelu({ name: 'prelu1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = conv('conv2', 32, seed + 1).apply(x) as tf.SymbolicTensor;
  x = prelu({ name: 'prelu2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  const trunk = tf.model({ name: 'trunk', inputs: image, outputs: x });
  const map = tf.input({ name: 'map', shape: x.shape.slice(1) as number[] });
  let h = tf.layers.flatten({ name: 'flatten' }).apply(map) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ name: 'fc1', units: 64, kernelInitializer: msra({ slope: 0.25, seed: seed + 2 }) })
    .apply(h) as tf.SymbolicTensor;
  h = prelu({ name: 'prelu3' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dropout({ name: 'drop1', rate: 0.5 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ name: 'fc2', units: 10, kernelInitializer: msra({ slope: 0, seed: seed + 3 }) })
    .apply(h) as tf.SymbolicTensor;
  return trunkAndHead('fashion', image, trunk, map, h);
}
