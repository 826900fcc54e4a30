// Runs inside the fresh project made by release-check.mjs (CommonJS side): the same two
// packages through `require`, a dense PReLU net with MSRA init trains one step.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { prelu } = require('@rectifier/activations');
const { msra } = require('@rectifier/initializers');

async function main() {
  await tf.setBackend('cpu');
  const input = tf.input({ shape: [6] });
  const hidden = tf.layers
    .dense({ units: 8, kernelInitializer: msra({ mode: 'fanOut', seed: 3 }) })
    .apply(input);
  const output = tf.layers
    .dense({ units: 2, kernelInitializer: msra({ seed: 4 }) })
    .apply(prelu({ shared: true }).apply(hidden));
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  const x = tf.randomNormal([5, 6], 0, 1, 'float32', 2);
  const y = tf.randomNormal([5, 2], 0, 1, 'float32', 5);
  const slope = model.layers[2].getWeights()[0].dataSync()[0];
  const loss = await model.trainOnBatch(x, y);
  assert.ok(Number.isFinite(loss) && loss > 0, `loss ${loss}`);
  assert.notEqual(model.layers[2].getWeights()[0].dataSync()[0], slope, 'the PReLU slope trained');
  console.log(`cjs (require): PReLU + MSRA dense net, one SGD step, loss ${loss.toFixed(4)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
