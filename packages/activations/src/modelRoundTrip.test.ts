import { selectBackend } from '@rectifier/backend';
import { msra } from '@rectifier/initializers';
import { expectAllClose, saveAndLoad } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { isDecayFree, prelu } from './index';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

// The combination the paper trains: MSRA with the PReLU slope in the std (Eqn 15), PReLU after
// each conv. Saved and loaded, it must come back as the same function with the same markers.
test('a conv net with PReLU and MSRA-initialised layers survives save/load', async () => {
  const input = tf.input({ shape: [null, null, 3] });
  let h = input;
  for (let l = 0; l < 3; l++) {
    h = tf.layers
      .conv2d({
        name: `conv${l + 1}`,
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: msra({ slope: 0.25, seed: 10 + l }),
      })
      .apply(h) as tf.SymbolicTensor;
    h = prelu({ name: `conv${l + 1}_act`, shared: l === 2 }).apply(h) as tf.SymbolicTensor;
  }
  const model = tf.model({ inputs: input, outputs: h });
  // Train the slopes a little so the loaded values are not the 0.25 a fresh layer would have.
  for (const [i, w] of model.weights.filter((v) => isDecayFree(v)).entries()) {
    w.write(tf.fill(w.shape as number[], 0.1 * (i + 1)));
  }

  const { loaded, artifacts } = await saveAndLoad(model);
  const topology = JSON.stringify(artifacts.modelTopology);
  expect(topology.match(/"class_name":"RectifierMsra"/g)).toHaveLength(3);
  expect(topology.match(/"class_name":"RectifierPReLU"/g)).toHaveLength(3);
  expect(loaded.weights.filter((w) => isDecayFree(w)).map((w) => w.shape)).toEqual([[8], [8], []]);
  const x = tf.randomNormal([2, 11, 9, 3], 0, 1, 'float32', 5); // a size the model never saw
  expectAllClose(
    (loaded.predict(x) as tf.Tensor).dataSync(),
    (model.predict(x) as tf.Tensor).dataSync(),
  );
  // A rebuilt model from the same config draws the same MSRA kernels (seeded, slope-aware std).
  const rebuilt = await tf.models.modelFromJSON({
    modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
  });
  const k = rebuilt.getLayer('conv2').getWeights()[0];
  expectAllClose(k.dataSync(), model.getLayer('conv2').getWeights()[0].dataSync());
  const std = Math.sqrt(2 / ((1 + 0.25 ** 2) * 9 * 8));
  const sample = Math.sqrt(tf.moments(k).variance.dataSync()[0]);
  expect(sample / std).toBeGreaterThan(0.8); // 576 draws: the sample std is within ~±10%
  expect(sample / std).toBeLessThan(1.2);
});
