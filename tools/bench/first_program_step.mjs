#!/usr/bin/env node
/**
 * Step time of the root README's first program (small net at 1/8 width, fc 128, PReLU + MSRA,
 * Fashion-MNIST upscaled to 84×84, batch 32, momentum SGD via trainOnBatch) in a project that
 * installed the packed tarballs: as a user following the READMEs without `selectBackend()` got
 * it (tfjs's pure-JS cpu backend) and with it (wasm + Rectifier's training kernels).
 *
 *   node tools/ci/packed-install.mjs --keep      # prints the kept folder
 *   node tools/bench/first_program_step.mjs <kept>/app cpu 3
 *   node tools/bench/first_program_step.mjs <kept>/app wasm 20
 *
 * Prints wall and CPU time per step (median, min); on a shared machine read the CPU time.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [project, mode = 'wasm', stepsArg = '10'] = process.argv.slice(2);
if (!project || !['cpu', 'wasm'].includes(mode)) {
  console.error('usage: first_program_step.mjs <project> cpu|wasm [steps]');
  process.exit(2);
}
const requireThere = createRequire(join(resolve(project), 'package.json'));
const load = (name) => import(pathToFileURL(requireThere.resolve(name)).href);
const tf = await load('@tensorflow/tfjs');
const { buildModel } = await load('@rectifier/architectures');
const { loadFashionMnistSubset } = await load('@rectifier/data');
if (mode === 'cpu') await tf.setBackend('cpu');
else await (await load('@rectifier/backend')).selectBackend();

const steps = Number(stepsArg);
const { model } = buildModel('small', {
  widthMultiplier: 1 / 8,
  fcUnits: 128,
  numClasses: 10,
  inputChannels: 1,
  activation: 'prelu',
  init: 'msra-fan-in',
  seed: 1,
});
const data = loadFashionMnistSubset('train');
const x = tf.tidy(() =>
  tf.image.resizeBilinear(
    tf.tensor4d(data.images.subarray(0, 32 * 784), [32, 28, 28, 1], 'float32').div(255),
    [84, 84],
  ),
);
const y = tf.oneHot(tf.tensor1d(data.labels.subarray(0, 32), 'int32'), 10);
model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
await model.trainOnBatch(x, y); // warm-up
const wall = [];
const cpu = [];
for (let i = 0; i < steps; i++) {
  const t = performance.now();
  const c = process.cpuUsage();
  await model.trainOnBatch(x, y);
  const d = process.cpuUsage(c);
  cpu.push((d.user + d.system) / 1000);
  wall.push(performance.now() - t);
}
const median = (a) => a.sort((p, q) => p - q)[a.length >> 1];
const min = (a) => Math.min(...a);
console.log(
  `${tf.getBackend()}: ${model.countParams()} params, ${steps} steps; per step wall median ` +
    `${median(wall).toFixed(0)} ms (min ${min(wall).toFixed(0)}), CPU median ` +
    `${median(cpu).toFixed(0)} ms (min ${min(cpu).toFixed(0)})`,
);
