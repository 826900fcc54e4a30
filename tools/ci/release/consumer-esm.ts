// Runs inside the fresh project made by release-check.mjs, installed from the registry with only
// @rectifier/activations, @rectifier/initializers and @tensorflow/tfjs: type-checked by tsc
// (module node16, strict), then run. What a user's first TypeScript file with these two
// packages does: a conv net with PReLU after MSRA-initialised layers, one SGD step.
import assert from 'node:assert/strict';
import { isDecayFree, type PReLU, prelu } from '@rectifier/activations';
import { type Msra, msra, msraStd } from '@rectifier/initializers';
import * as tf from '@tensorflow/tfjs';

await tf.setBackend('cpu');
const init: Msra = msra({ mode: 'fanIn', slope: 0.25, seed: 7 });
const act: PReLU = prelu({ init: 0.25 });
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({
      inputShape: [8, 8, 2],
      filters: 4,
      kernelSize: 3,
      kernelInitializer: init,
      useBias: false,
    }),
    act,
    tf.layers.flatten(),
    tf.layers.dense({ units: 3, kernelInitializer: msra({ seed: 8 }) }),
  ],
});
// The initializer's std is the paper's sqrt(2 / ((1 + a²) n)), n = 3·3·2 (Eqn 15).
assert.equal(msraStd([3, 3, 2, 4], { slope: 0.25 }), Math.sqrt(2 / ((1 + 0.25 ** 2) * 18)));

const x = tf.randomNormal([4, 8, 8, 2], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
const before = model.getWeights().map((w) => w.dataSync().slice());
const loss = tf.train
  .sgd(0.1)
  .minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor), true);
const value = loss?.dataSync()[0] ?? Number.NaN;
assert.ok(Number.isFinite(value) && value > 0, `loss ${value}`);
const after = model.getWeights();
assert.ok(
  after.every((w, i) => w.dataSync().some((v, j) => v !== before[i]?.[j])),
  'every weight (the PReLU slopes included) moved in the step',
);
assert.ok(
  model.trainableWeights.some((w) => isDecayFree(w)),
  'PReLU slopes are decay-free',
);
console.log(`esm (tsc-checked): PReLU + MSRA conv net, one SGD step, loss ${value.toFixed(4)}`);
