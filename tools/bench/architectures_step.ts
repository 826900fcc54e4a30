/**
 * One SGD step (forward, backward, update) of the `small` CPU-scale variant built by
 * @rectifier/architectures (tfjs-layers model: width 0.5, fc 1024, 10 classes, 112 crops,
 * batch 32) on wasm or the oneDNN engine, next to the same net in PyTorch (tools/bench/small_net_torch.py, run in the
 * same process tree with the same thread count). The PyTorch net pads its 2×2 convs 'same'
 * where the builder alternates unpadded / pad-1 (16/17 maps instead of 17): ~4% fewer
 * multiply-adds on our side; the ratio is still the relevant figure.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/architectures_step.ts [--steps 5] [--prelu]
 *     [--engine wasm|onednn] [--threads 1]
 */
import { execFileSync } from 'node:child_process';
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { buildModel, cpuScaleVariants, summarize } from '../../packages/architectures/src/index';
import { fmt, ratio, table } from './timing';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1]) || 5;
const activation = args.includes('--prelu') ? 'prelu' : 'relu';
const batch = 32;
const engine = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : 'wasm';
const threads = Number(args[args.indexOf('--threads') + 1]) || 1;

async function main() {
  if (engine !== 'wasm' && engine !== 'onednn')
    throw new Error(`--engine: wasm or onednn, got ${engine}`);
  const info = await selectBackend({ prefer: engine, threads });
  const variant = cpuScaleVariants.small;
  const { model } = buildModel(variant.model, { ...variant.options, activation, seed: 1 });
  const size = variant.cropSize;
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([batch, size, size, 3]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const step = () => {
    const start = performance.now();
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
      true,
    );
    loss?.dataSync();
    loss?.dispose();
    return performance.now() - start;
  };
  step();
  const before = tf.memory().numTensors;
  const times = Array.from({ length: steps }, step).sort((a, b) => a - b);
  const leaked = tf.memory().numTensors - before;
  const ours = times[Math.floor(times.length / 2)];
  const torchOut = execFileSync(
    '/usr/bin/python3',
    [
      'tools/bench/small_net_torch.py',
      '--threads',
      String(info.threads),
      '--steps',
      String(steps),
      '--activation',
      activation,
    ],
    { encoding: 'utf8' },
  );
  const torch = JSON.parse(torchOut.trim().split('\n').pop() ?? '{}').ms_per_step as number;
  const macs = summarize(model, { inputSize: size }).totalMultiplyAdds;
  console.log(
    `\nOne SGD step, small net via buildModel (${activation}, width 0.5, fc 1024, input ${size}, ` +
      `batch ${batch}, ${(macs / 1e6).toFixed(1)} M multiply-adds/image), ${info.threads} thread(s); leaked tensors: ${leaked}\n`,
  );
  table(
    ['backend', 'ms/step', 'vs PyTorch'],
    [
      [`${info.name} (tfjs-layers model)`, fmt(ours), ratio(ours, torch)],
      ['PyTorch 1.13 CPU', fmt(torch), '1.00×'],
    ],
  );
  tf.dispose([x, y]);
  model.dispose();
}

void main();
