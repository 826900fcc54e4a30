/**
 * One SGD step (momentum 0.9) of the small net (Table 1 layers, width 0.5, fc 1024, 10 classes,
 * input 112, batch 32): wasm + Rectifier's kernels vs the tfjs cpu backend vs PyTorch CPU, the
 * peer run in the same invocation with the same thread count.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/step.ts [--steps 10] [--threads 1] [--prelu]
 *     [--no-cpu] [--profile]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { benchConfig, buildSmallNet, type SmallNetConfig } from './smallNet';
import { fmt, ratio, table } from './timing';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1]) || 10;
const withCpu = !args.includes('--no-cpu');
const profile = args.includes('--profile');
const activation = args.includes('--prelu') ? 'prelu' : 'relu';
const batch = 32;
const threads = Number(args[args.indexOf('--threads') + 1]) || 1;

function stepTimes(config: SmallNetConfig, count: number, batch = 32): number {
  const net = buildSmallNet(config);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([batch, config.input, config.input, 3]) as tf.Tensor4D;
  const y = tf.oneHot(
    tf.randomUniform([batch], 0, config.classes, 'int32') as tf.Tensor1D,
    config.classes,
  );
  const step = () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, net.logits(x, true)) as tf.Scalar,
      true,
      net.variables,
    );
    loss?.dataSync();
    loss?.dispose();
  };
  step();
  step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  if (tf.memory().numTensors !== before)
    throw new Error(`step leaked ${tf.memory().numTensors - before} tensors`);
  tf.dispose([x, y, ...net.variables]);
  optimizer.dispose();
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function torchStep(threads: number): number {
  const script = fileURLToPath(new URL('./small_net_torch.py', import.meta.url));
  const out = execFileSync(
    '/usr/bin/python3',
    [script, '--threads', String(threads), '--steps', String(steps), '--activation', activation],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!).ms_per_step;
}

const config = { ...benchConfig, activation } as SmallNetConfig;
const info = await selectBackend({ prefer: 'wasm', threads });
const wasm = stepTimes(config, steps);
if (profile) {
  const net = buildSmallNet(config);
  const x = tf.randomNormal([batch, config.input, config.input, 3]) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
  const p = await tf.profile(() => {
    const g = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, net.logits(x, true)) as tf.Scalar,
      net.variables,
    );
    return [g.value, ...Object.values(g.grads)];
  });
  const byKernel = new Map<string, number>();
  for (const k of p.kernels)
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  console.log(
    [...byKernel]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([n, t]) => `${n} ${t.toFixed(1)}`)
      .join('\n'),
  );
}
const torch = torchStep(info.threads);
// The cpu backend needs minutes for one step at batch 32 (its weight gradient is a scalar JS
// loop); the step is dominated by per-example conv work, so it is timed at batch 4 and scaled.
const cpuBatch = 4;
let cpu = Number.NaN;
if (withCpu) {
  await tf.setBackend('cpu');
  cpu = (stepTimes(config, 1, cpuBatch) * batch) / cpuBatch;
}

console.log(
  `\nOne SGD step, small net (${activation}, width 0.5, fc 1024, input 112, batch ${batch}), ${info.threads} thread(s), ms\n`,
);
table(
  [
    'wasm + Rectifier',
    'PyTorch CPU',
    `tfjs cpu (batch ${cpuBatch} ×${batch / cpuBatch})`,
    'wasm / PyTorch',
    'cpu / wasm',
  ],
  [
    [
      fmt(wasm),
      fmt(torch),
      withCpu ? fmt(cpu) : '—',
      ratio(wasm, torch),
      withCpu ? ratio(cpu, wasm) : '—',
    ],
  ],
);
