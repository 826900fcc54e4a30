/**
 * PReLU vs ReLU: one SGD step of the small net (paper Table 1 layers at width 0.5, fc 1024,
 * 10 classes, input 112, batch 32) built with tf.layers and @rectifier/activations, on wasm with
 * Rectifier's training kernels; the same net in PyTorch (tools/bench/small_net_torch.py,
 * nn.PReLU vs nn.ReLU) in the same invocation, same thread count. Prints the PReLU/ReLU step-time
 * ratio of both: the bar is that PReLU's cost stays negligible next to the convolutions
 * (PyTorch: ~1.03).
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/activations_prelu.ts [--steps 9] [--threads 1]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { activation, preluOp } from '@rectifier/activations';
import { spp } from '@rectifier/architectures';
import { selectBackend } from '@rectifier/backend';
import { msra } from '@rectifier/initializers';
import * as tf from '@tensorflow/tfjs';
import { fmt, ratio, table, timeMs } from './timing';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const steps = arg('--steps', 9);
const threads = arg('--threads', 1);
const batch = 32;
const input = 112;
const classes = 10;

type Kind = 'relu' | 'prelu';

/** Table 1's small net at width 0.5 (conv 32 / 64 / 128), as small_net_torch.py builds it. */
function smallNet(kind: Kind): tf.LayersModel {
  const act = () => activation(kind); // PReLU: channel-wise, init 0.25 (Sec. 2.1)
  const conv = (
    filters: number,
    kernelSize: number,
    strides = 1,
    padding: 'same' | 'valid' = 'same',
  ) => tf.layers.conv2d({ filters, kernelSize, strides, padding, kernelInitializer: msra() });
  const layers: tf.layers.Layer[] = [
    conv(32, 7, 2, 'valid'),
    act(),
    tf.layers.maxPooling2d({ poolSize: 3, strides: 3 }),
  ];
  for (let i = 0; i < 4; i++) layers.push(conv(64, 2), act());
  layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  for (let i = 0; i < 6; i++) layers.push(conv(128, 2), act());
  layers.push(spp({ levels: [6, 3, 2, 1] })); // → [batch, 128·50], flattened
  // fc layers: ReLU + dropout in both nets (small_net_torch.py does the same).
  layers.push(
    tf.layers.dense({ units: 1024, activation: 'relu' }),
    tf.layers.dropout({ rate: 0.5 }),
  );
  layers.push(
    tf.layers.dense({ units: 1024, activation: 'relu' }),
    tf.layers.dropout({ rate: 0.5 }),
  );
  layers.push(tf.layers.dense({ units: classes }));
  const x = tf.input({ shape: [input, input, 3] });
  return tf.model({
    inputs: x,
    outputs: layers.reduce((h, l) => l.apply(h) as tf.SymbolicTensor, x),
  });
}

/** A timed SGD step (momentum 0.9, softmax cross-entropy) of one net on a fixed batch. */
function stepper(kind: Kind) {
  const model = smallNet(kind);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([batch, input, input, 3], 0, 1, 'float32', 1);
  const y = tf.tidy(() =>
    tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 2) as tf.Tensor1D, classes),
  );
  const step = () => {
    const start = performance.now();
    const loss = optimizer.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          y,
          model.apply(x, { training: true }) as tf.Tensor,
        ) as tf.Scalar,
      true,
    );
    loss!.dataSync();
    loss!.dispose();
    return performance.now() - start;
  };
  const dispose = () => {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  };
  return { step, dispose };
}

/**
 * Median ms per step of both nets. Steps alternate ReLU / PReLU so that load from other jobs on
 * the machine falls on both alike; two warm-up steps each.
 */
function msPerStep(): Record<Kind, number> {
  const nets = { relu: stepper('relu'), prelu: stepper('prelu') };
  for (const net of Object.values(nets)) {
    net.step();
    net.step();
  }
  const before = tf.memory().numTensors;
  const times: Record<Kind, number[]> = { relu: [], prelu: [] };
  for (let i = 0; i < steps; i++) {
    times.relu.push(nets.relu.step());
    times.prelu.push(nets.prelu.step());
  }
  if (tf.memory().numTensors !== before) throw new Error('tensors leaked during the timed steps');
  for (const net of Object.values(nets)) net.dispose();
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { relu: median(times.relu), prelu: median(times.prelu) };
}

function torchMsPerStep(kind: Kind): number {
  const script = fileURLToPath(new URL('./small_net_torch.py', import.meta.url));
  const out = execFileSync('/usr/bin/python3', [
    script,
    '--threads',
    String(threads),
    '--steps',
    String(steps),
    '--activation',
    kind,
  ]).toString();
  return JSON.parse(out.trim().split('\n').pop()!).ms_per_step;
}

/** Forward + backward of the activation alone on a stage-2 map (32×17×17×64), ms. */
function opTimes() {
  const x = tf.randomNormal([batch, 17, 17, 64], 0, 1, 'float32', 3);
  const dy = tf.randomNormal([batch, 17, 17, 64], 0, 1, 'float32', 4);
  const alpha = tf.fill([64], 0.25);
  // ReLU has no slope: its gradient is taken with respect to x only.
  const relu = () => tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(tf.relu(xx), dy)))([x]);
  const withSlope = (f: (x: tf.Tensor, a: tf.Tensor) => tf.Tensor) => () =>
    tf.grads((xx: tf.Tensor, aa: tf.Tensor) => tf.sum(tf.mul(f(xx, aa), dy)))([x, alpha]);
  const rows = {
    relu: timeMs(relu, 21, 3),
    preluOp: timeMs(withSlope(preluOp), 21, 3),
    'tf.prelu (tfjs gradient)': timeMs(withSlope(tf.prelu), 21, 3),
  };
  tf.dispose([x, dy, alpha]);
  return rows;
}

const info = await selectBackend({ prefer: 'wasm', threads });
console.log(
  `backend ${info.name}, ${info.threads} thread(s); ${steps} timed steps; batch ${batch}, input ${input}`,
);
const ops = opTimes();
table(
  ['activation, fwd + bwd on 32×17×17×64', 'ms', 'vs ReLU'],
  Object.entries(ops).map(([k, v]) => [k, fmt(v), ratio(v, ops.relu)]),
);
const ours = msPerStep();
const torch = { relu: torchMsPerStep('relu'), prelu: torchMsPerStep('prelu') };
table(
  ['net', 'ReLU ms/step', 'PReLU ms/step', 'PReLU / ReLU'],
  [
    [
      'tfjs wasm + @rectifier/activations',
      fmt(ours.relu),
      fmt(ours.prelu),
      ratio(ours.prelu, ours.relu),
    ],
    ['PyTorch CPU (nn.PReLU)', fmt(torch.relu), fmt(torch.prelu), ratio(torch.prelu, torch.relu)],
  ],
);
