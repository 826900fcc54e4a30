// Runs inside the fresh project made by packed-install.mjs (ESM side): what a user's first
// training script does, with nothing but the tarballs and @tensorflow/tfjs installed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDecayFree } from '@rectifier/activations';
import { buildModel, summarize } from '@rectifier/architectures';
import {
  compose,
  createWorkerPool,
  horizontalFlip,
  randomCrop,
  scaleJitter,
} from '@rectifier/augmentation';
import { selectBackend } from '@rectifier/backend';
import { checkOptionKeys, deriveSeed, RectifierArgumentError } from '@rectifier/core';
import { createTestProgress } from '@rectifier/core/progress';
import { createLoader, createRng, idxExample, loadFashionMnistSubset } from '@rectifier/data';
import { resume, sgd, train } from '@rectifier/trainer';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

if (process.argv[2] === 'threads') {
  const info = await selectBackend({ prefer: 'wasm', threads: 2 });
  assert.equal(info.threads, 2);
  const y = tf.conv2d(tf.ones([1, 9, 9, 4]), tf.ones([3, 3, 4, 2]), 1, 'valid');
  assert.equal(y.dataSync()[0], 36);
  console.log('esm: wasm with 2 threads');
  process.exit(0);
}

const info = await selectBackend();
// The oneDNN engine is built at install where oneDNN and a compiler are present (CI has both).
const engine = existsSync(
  'node_modules/@rectifier/backend/native/build/Release/rectifier_onednn.node',
);
assert.equal(info.name, engine ? 'onednn' : 'wasm');
assert.ok(info.trainingKernels.includes('Conv2DBackpropFilter'));

// One SGD step of the small net on the bundled real Fashion-MNIST subset.
const ds = loadFashionMnistSubset('train');
assert.equal(ds.count, 1800);
const { model } = buildModel('small', {
  widthMultiplier: 1 / 8,
  fcUnits: 32,
  numClasses: 10,
  inputChannels: 1,
  activation: 'prelu',
  seed: 1,
});
assert.ok(summarize(model, { inputSize: 84 }).totalMultiplyAdds > 0);
assert.equal(model.getLayer('trunk').getLayer('conv1').getClassName(), 'RectifierInputConv2D');
const batch = 8;
const x = tf.tidy(() =>
  tf.image.resizeBilinear(
    tf.tensor4d(ds.images.subarray(0, batch * 784), [batch, 28, 28, 1], 'float32').div(255),
    [84, 84],
  ),
);
const y = tf.oneHot(tf.tensor1d(ds.labels.subarray(0, batch), 'int32'), 10);
const optimizer = tf.train.momentum(0.01, 0.9);
const step = () =>
  optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })),
    true,
  );
step().dispose();
const before = tf.memory().numTensors;
const w0 = model.getWeights()[0].dataSync().slice();
const loss = step();
const value = loss.dataSync()[0];
loss.dispose();
assert.ok(Number.isFinite(value) && value > 0, `loss ${value}`);
assert.equal(tf.memory().numTensors, before, 'tensors leaked');
assert.notDeepEqual(model.getWeights()[0].dataSync(), w0);
const slopes = model.trainableWeights.filter((w) => isDecayFree(w));
assert.ok(slopes.length > 0, 'PReLU slopes are marked decay-free');

// Save and load back (custom layers, initializers registered by the imports above).
let artifacts;
await model.save(
  tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
const [a, b] = [model.predict(x), loaded.predict(x)];
assert.deepEqual(b.dataSync(), a.dataSync());
console.log(`esm: ${info.name}, one SGD step (loss ${value.toFixed(3)}), save/load round trip`);

// Augmentation in this thread and in the worker pool (dist/geometryWorker.js).
const jpeg = await sharp({
  create: { width: 500, height: 375, channels: 3, background: { r: 200, g: 90, b: 30 } },
})
  .jpeg()
  .toBuffer();
const pipeline = compose(scaleJitter({ min: 256, max: 512 }), randomCrop(224), horizontalFlip(0.5));
const inThread = await pipeline.apply(jpeg, createRng(3));
const pool = createWorkerPool({ workers: 1 });
const pooled = await pipeline.withWorkers(pool).apply(jpeg, createRng(3));
await pool.close();
assert.equal(inThread.width, 224);
assert.deepEqual(pooled.data, inThread.data);
console.log('esm: augmentation in thread and in the worker pool');

// A two-epoch run of the trainer (dist build, cli-progress resolved from the install).
{
  const input = tf.input({ shape: [28, 28, 1] });
  const flat = tf.layers.flatten({ name: 'flat' }).apply(input);
  const logits = tf.layers.dense({ name: 'fc', units: 10 }).apply(flat);
  const net = tf.model({ inputs: input, outputs: logits });
  const loader = createLoader({
    size: 64,
    batchSize: 32,
    seed: 1,
    label: (i) => ds.labels[i],
    load: async (i) => idxExample(ds, i),
  });
  const runDir = join(mkdtempSync(join(tmpdir(), 'rectifier-packed-run-')), 'run');
  const options = {
    model: net,
    optimizer: sgd({ learningRate: 0.01 }),
    trainLoader: loader,
    epochs: 2,
    seed: 0,
    quiet: true,
  };
  const summary = await train({ ...options, runDir });
  assert.equal(summary.steps, 4);
  assert.equal(
    JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')).weightsSha256,
    summary.weightsSha256,
  );
  await assert.rejects(resume(runDir, options), /finished/);
  rmSync(join(runDir, '..'), { recursive: true, force: true });
  console.log('esm: trainer run (train, summary.json, resume of a finished run refused)');
}

// The foundation on its own: the option checker's voice, the seed policy, progress lines.
assert.throws(() => checkOptionKeys({ sede: 1 }, ['seed'], 'f'), RectifierArgumentError);
assert.equal(deriveSeed(0, 'init', 1), deriveSeed(0, 'init', 1));
assert.notEqual(deriveSeed(0, 'init', 1), deriveSeed(1, 'init', 0));
{
  const lines = [];
  const p = createTestProgress('center', 4, {
    mode: 'lines',
    stream: { write: (l) => lines.push(l) },
  });
  p.update(4);
  p.stop();
  assert.equal(JSON.parse(lines.at(-1)).final, true);
  console.log('esm: @rectifier/core (option checker, deriveSeed, progress lines)');
}

// Threaded wasm loads its pthreads build from dist-relative files; a fresh process.
process.stdout.write(execFileSync(process.execPath, [process.argv[1], 'threads']).toString());
