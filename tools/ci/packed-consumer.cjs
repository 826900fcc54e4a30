// Runs inside the fresh project made by packed-install.mjs (CommonJS side): every package
// loads through `require`, dist-relative paths resolve from the .cjs builds, a step trains.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { selectBackend } = require('@rectifier/backend');
const { deriveSeed, RectifierError } = require('@rectifier/core');
const { createTrainingProgress } = require('@rectifier/core/progress');
const { prelu } = require('@rectifier/activations');
const { msra } = require('@rectifier/initializers');
const { buildModel, spp } = require('@rectifier/architectures');
const { loadFashionMnistSubset, createRng } = require('@rectifier/data');
const { compose, centerCrop, createWorkerPool } = require('@rectifier/augmentation');
const { MetricsAccumulator, center, dense } = require('@rectifier/evaluation');
const { sgd } = require('@rectifier/trainer');
const sharp = require('sharp');

async function main() {
  assert.ok(Number.isInteger(deriveSeed(0, 'shuffle', 2)));
  assert.equal(new RectifierError('x').name, 'RectifierError');
  createTrainingProgress({ mode: 'none' }).stop();
  const info = await selectBackend({ prefer: 'wasm' });
  assert.equal(info.name, 'wasm');
  const test = loadFashionMnistSubset('test');
  assert.equal(test.count, 400);

  const input = tf.input({ shape: [28, 28, 1] });
  let h = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, kernelInitializer: msra({ mode: 'fanOut', seed: 1 }) })
    .apply(input);
  h = prelu().apply(h);
  h = spp({ levels: [2, 1] }).apply(h);
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(h) });
  const x = tf.tensor4d(test.images.subarray(0, 4 * 784), [4, 28, 28, 1], 'float32').div(255);
  const y = tf.oneHot(tf.tensor1d(test.labels.subarray(0, 4), 'int32'), 10);
  const loss = tf.train
    .sgd(0.1)
    .minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
  assert.ok(Number.isFinite(loss.dataSync()[0]));
  assert.equal(sgd({ learningRate: 0.01 }).momentum, 0.9);

  const png = await sharp({
    create: { width: 40, height: 30, channels: 3, background: { r: 1, g: 2, b: 3 } },
  })
    .png()
    .toBuffer();
  const pool = createWorkerPool({ workers: 1 });
  const out = await compose(centerCrop(24)).withWorkers(pool).apply(png, createRng(0));
  await pool.close();
  assert.deepEqual([out.width, out.height, out.data[0], out.data[2]], [24, 24, 1, 3]);

  const net = buildModel('small', {
    widthMultiplier: 1 / 16,
    fcUnits: 16,
    numClasses: 10,
    seed: 1,
  });
  const photo = await sharp({
    create: { width: 100, height: 90, channels: 3, background: { r: 9, g: 99, b: 199 } },
  })
    .png()
    .toBuffer();
  const metrics = new MetricsAccumulator(test.classes);
  for (const scorer of [
    center(net, { resize: 90, crop: 80 }),
    dense(net, { scale: 90, crop: 80 }),
  ]) {
    const [scores] = await scorer.score([photo]);
    assert.ok(Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    metrics.add(scores, 0);
  }
  assert.equal(metrics.summary().count, 2);
  console.log(
    'cjs: every package loads, a step trains, the worker pool runs, a model is evaluated (.cjs entry)',
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
