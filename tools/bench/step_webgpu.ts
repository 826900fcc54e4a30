/**
 * The small net's SGD step (momentum 0.9; Table 1 layers, width 0.5, fc 1024, 10 classes, input
 * 112, batch 32) on the `webgpu` engine, with PyTorch on CUDA beside it in the same run when this
 * machine's PyTorch sees a CUDA GPU. A ready script for a GPU machine (a Vulkan driver, and
 * `npm install webgpu @tensorflow/tfjs-backend-webgpu`).
 *
 * On a software adapter (SwiftShader, `--allow-software`) it checks correctness only: a few
 * steps at batch 2 against tfjs's cpu backend from the same weights and data, no timings
 * (SwiftShader computes on the CPU; its times say nothing about a GPU).
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/step_webgpu.ts [--steps 10] [--prelu]
 *     [--allow-software]
 *   RECTIFIER_GPU=1 …   picks the second adapter (see docs/packages/backend.md, "GPU")
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { benchConfig, buildSmallNet, type SmallNetConfig } from './smallNet';
import { fmt, table } from './timing';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1]) || 10;
const activation = args.includes('--prelu') ? 'prelu' : 'relu';
const allowSoftware = args.includes('--allow-software');
const config = { ...benchConfig, activation } as SmallNetConfig;

/** Builds the net on the active backend with the given weights (or its own random ones). */
function net(weights?: Float32Array[]) {
  const built = buildSmallNet(config);
  weights?.forEach((w, i) => {
    built.variables[i].assign(tf.tensor(w, built.variables[i].shape));
  });
  return built;
}

/** `count` SGD steps; returns each step's loss and wall ms (the loss read waits for the GPU). */
async function run(count: number, batch: number, weights?: Float32Array[], training = true) {
  const model = net(weights);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([batch, config.input, config.input, 3], 0, 1, 'float32', 5);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const losses: number[] = [];
  const ms: number[] = [];
  let before = 0;
  for (let i = 0; i < count; i++) {
    if (i === 1) before = tf.memory().numTensors;
    const t0 = performance.now();
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.logits(x as tf.Tensor4D, training)) as tf.Scalar,
      true,
      model.variables,
    );
    losses.push((await loss!.data())[0]);
    ms.push(performance.now() - t0);
    loss!.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  const initial = await Promise.all(model.variables.map((v) => v.data() as Promise<Float32Array>));
  tf.dispose([x, y, ...model.variables]);
  optimizer.dispose();
  if (count > 1 && leaked !== 0) throw new Error(`the step leaked ${leaked} tensors`);
  return { losses, ms, initial };
}

function torchCuda(): {
  available: boolean;
  ms_per_step?: number;
  device?: string;
  reason?: string;
} {
  const script = fileURLToPath(new URL('./small_net_torch_cuda.py', import.meta.url));
  try {
    const out = execFileSync(
      'python3',
      [script, '--steps', String(steps), '--activation', activation],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return JSON.parse(out.trim().split('\n').at(-1)!);
  } catch (e) {
    return { available: false, reason: `python3 failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

const info = await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: allowSoftware }).catch(
  (e: Error) => {
    // The message says what is missing (the Vulkan driver, the packages); allowSoftwareAdapter
    // is this script's --allow-software.
    console.error(`${e.message}\n(this script: --allow-software for a software adapter)`);
    process.exit(1);
  },
);
const adapter = info.adapter!;
console.log(
  `webgpu adapter: ${adapter.vendor} ${adapter.architecture} ${adapter.description} ` +
    `(${adapter.software ? 'software: correctness only' : 'hardware'})`,
);

if (adapter.software) {
  // Same weights and data on both backends, dropout off so that the steps are deterministic.
  const count = Math.min(steps, 3);
  await selectBackend({ prefer: 'cpu' });
  const weights = (await run(0, 2)).initial;
  const cpu = await run(count, 2, weights, false);
  await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
  const gpu = await run(count, 2, weights, false);
  const worst = Math.max(
    ...gpu.losses.map((l, i) => Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i])),
  );
  console.log(`cpu    losses ${cpu.losses.map((l) => l.toFixed(6)).join(' → ')}`);
  console.log(`webgpu losses ${gpu.losses.map((l) => l.toFixed(6)).join(' → ')}`);
  console.log(`max relative difference ${worst.toExponential(1)}; no tensor leaked`);
  if (!(worst < 1e-4)) process.exit(1);
} else {
  const gpu = await run(steps + 3, 32);
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const rows = [
    [
      'webgpu (tfjs-backend-webgpu)',
      `${adapter.vendor} ${adapter.description}`,
      fmt(median(gpu.ms.slice(3))),
    ],
  ];
  const torch = torchCuda();
  if (torch.available) rows.push(['PyTorch CUDA', torch.device ?? '', fmt(torch.ms_per_step!)]);
  else console.log(`PyTorch CUDA: not available here (${torch.reason ?? 'no CUDA'})`);
  table(['engine', 'device', 'ms/step'], rows);
}
