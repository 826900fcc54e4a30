/**
 * What the image-reading stem costs in a training step: the `small` CPU-scale model from
 * `buildModel` (first conv = `inputConv2d`) against the same model with a plain
 * `tf.layers.conv2d` stem (tfjs's fused conv, which computes the stem's input gradient too),
 * same weights, steps alternating in one process so the machine's load falls on both.
 * Reports the median step time and, from `tf.profile`, the kernel time of the step and of its
 * `Conv2DBackpropInput` calls.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/architectures_stem.ts [--steps 9]
 */
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { buildModel, cpuScaleVariants } from '../../packages/architectures/src/index';
import { fmt, ratio, table } from './timing';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1]) || 9;
const batch = 32;

async function main() {
  await selectBackend({ prefer: 'wasm', threads: 1 });
  const variant = cpuScaleVariants.small;
  const { model } = buildModel(variant.model, { ...variant.options, activation: 'relu', seed: 1 });
  const topology = JSON.stringify(model.toJSON(undefined, false));
  const plain = await tf.models.modelFromJSON({
    modelTopology: JSON.parse(topology.replaceAll('"RectifierInputConv2D"', '"Conv2D"')),
  });
  plain.setWeights(model.getWeights());
  const x = tf.randomNormal([batch, variant.cropSize, variant.cropSize, 3]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const optimizers = new Map([model, plain].map((m) => [m, tf.train.momentum(0.01, 0.9)]));
  const train = (m: tf.LayersModel) =>
    optimizers
      .get(m)
      ?.minimize(
        () => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor),
        true,
      );
  const step = (m: tf.LayersModel) => {
    const start = performance.now();
    const loss = train(m);
    loss?.dataSync();
    loss?.dispose();
    return performance.now() - start;
  };
  const kernels = async (m: tf.LayersModel) => {
    const info = await tf.profile(() => train(m)?.dispose());
    let total = 0;
    let dx = 0;
    for (const k of info.kernels) {
      const ms = Number(await k.kernelTimeMs);
      total += ms;
      if (k.name === 'Conv2DBackpropInput') dx += ms;
    }
    return { total, dx };
  };

  step(model);
  step(plain); // after the warm-up: the optimizers' momentum slots exist
  const before = tf.memory().numTensors;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < steps; i++) {
    ours.push(step(model));
    theirs.push(step(plain));
  }
  const k = [await kernels(model), await kernels(plain)];
  const leaked = tf.memory().numTensors - before;
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const [a, b] = [median(ours), median(theirs)];
  console.log(
    `\nOne SGD step, small net via buildModel (relu, width 0.5, fc 1024, input 112, batch ${batch}), wasm 1 thread, median of ${steps}; leaked tensors: ${leaked}\n`,
  );
  table(
    ['stem', 'ms/step', 'vs plain', 'kernel ms', 'Conv2DBackpropInput ms'],
    [
      ['inputConv2d (buildModel)', fmt(a), ratio(a, b), fmt(k[0].total), fmt(k[0].dx)],
      ['tf.layers.conv2d (fused)', fmt(b), ratio(b, b), fmt(k[1].total), fmt(k[1].dx)],
    ],
  );
}

main();
