/**
 * One SGD step (momentum 0.9) of the small net (Table 1 layers, width 0.5, fc 1024, 10 classes,
 * input 112, batch 32): wasm + Rectifier's kernels vs the oneDNN engine vs the tfjs cpu backend
 * vs PyTorch CPU, all in the same invocation with the same thread count. wasm and oneDNN each
 * run in a child process of this script (`--engine`): wasm with N threads is the threaded build,
 * whose heap the oneDNN engine cannot address, and the wasm backend cannot be swapped once it
 * has started.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/step.ts [--steps 10] [--threads 1] [--prelu]
 *     [--no-cpu] [--no-wasm] [--profile] [--engine wasm|onednn]
 *   … tools/bench/step.ts --engine webgpu [--steps 10] [--prelu] [--allow-software]
 *     runs step_webgpu.ts: the step on a WebGPU adapter, PyTorch CUDA beside it when present
 *
 * The update is Rectifier's Caffe-form SGD (momentum 0.9, weight decay 5e-4 on the weights, as
 * the PyTorch script's `weight_decay`), PReLU is @rectifier/activations' op: the library's path.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@rectifier/backend';
import { sgd } from '@rectifier/trainer';
import * as tf from '@tensorflow/tfjs';
import { benchConfig, buildSmallNet, type SmallNetConfig } from './smallNet';
import { fmt, ratio, table } from './timing';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1]) || 10;
const withCpu = !args.includes('--no-cpu');
const withWasm = !args.includes('--no-wasm');
const profile = args.includes('--profile');
const activation = args.includes('--prelu') ? 'prelu' : 'relu';
const batch = 32;
const threads = Number(args[args.indexOf('--threads') + 1]) || 1;
const engine = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : undefined;

/** One training step of a fresh small net (forward, backward, update), and its clean-up. */
function makeStep(config: SmallNetConfig, batch: number) {
  const net = buildSmallNet(config);
  const optimizer = sgd({ learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  optimizer.bind(net.named);
  const x = tf.randomNormal([batch, config.input, config.input, 3]) as tf.Tensor4D;
  const y = tf.oneHot(
    tf.randomUniform([batch], 0, config.classes, 'int32') as tf.Tensor1D,
    config.classes,
  );
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, net.logits(x, true)) as tf.Scalar,
      net.variables,
    );
    const byName = Object.fromEntries(net.named.map((w) => [w.name, grads[w.variable.name]]));
    optimizer.apply(byName, 0.01);
    tf.dispose(Object.values(grads));
    return value;
  };
  const dispose = () => {
    tf.dispose([x, y, ...net.variables]);
    optimizer.dispose();
  };
  return { step, dispose };
}

/** Median wall and CPU (all threads of the process) ms of a step. */
function stepTimes(config: SmallNetConfig, count: number, batch = 32): { ms: number; cpu: number } {
  const { step: run, dispose } = makeStep(config, batch);
  const step = () => {
    const loss = run();
    loss.dataSync();
    loss.dispose();
  };
  step();
  step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  if (tf.memory().numTensors !== before)
    throw new Error(`step leaked ${tf.memory().numTensors - before} tensors`);
  dispose();
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { ms: median(times), cpu: median(cpuTimes) };
}

function torchStep(threads: number): { ms: number; cpu: number } {
  const script = fileURLToPath(new URL('./small_net_torch.py', import.meta.url));
  const out = execFileSync(
    '/usr/bin/python3',
    [script, '--threads', String(threads), '--steps', String(steps), '--activation', activation],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const result = JSON.parse(out.trim().split('\n').at(-1)!);
  return { ms: result.ms_per_step, cpu: result.cpu_ms_per_step };
}

const config = { ...benchConfig, activation } as SmallNetConfig;

/** Runs this script for one engine in a child process; its last line is a JSON result. */
function engineStep(name: 'wasm' | 'onednn'): { ms: number; cpu: number; threads: number } {
  const script = fileURLToPath(import.meta.url);
  const childArgs = ['--conditions=@rectifier/source', script, '--engine', name];
  childArgs.push('--steps', String(steps), '--threads', String(threads));
  if (activation === 'prelu') childArgs.push('--prelu');
  if (profile) childArgs.push('--profile');
  const out = execFileSync(process.execPath, ['--import', 'tsx', ...childArgs], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  const lines = out.split('\n');
  if (profile) console.log(`${name} profile (kernel ms):\n${lines.slice(0, -1).join('\n')}\n`);
  return JSON.parse(lines.at(-1)!);
}

if (engine === 'webgpu') {
  // The GPU bench is its own script (adapter choice, PyTorch CUDA beside it); it reads the same
  // flags from process.argv.
  await import('./step_webgpu');
  process.exit(0);
}

if (engine !== undefined) {
  if (engine !== 'wasm' && engine !== 'onednn')
    throw new Error(`--engine: wasm, onednn or webgpu, got ${engine}`);
  await childRun(engine);
  process.exit(0);
}

async function childRun(name: 'wasm' | 'onednn') {
  const info = await selectBackend({ prefer: name, threads });
  const { ms, cpu } = stepTimes(config, steps);
  if (profile) await printProfile();
  console.log(JSON.stringify({ ms, cpu, threads: info.threads }));
}

async function printProfile() {
  const { step, dispose } = makeStep(config, batch);
  step().dispose();
  const p = await tf.profile(() => step());
  dispose();
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of p.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += k.kernelTimeMs as number;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  console.log(
    [
      `total ${total.toFixed(1)} (${p.kernels.length} kernel calls)`,
      ...[...byKernel]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 20)
        .map(([n, e]) => `${n} ${e.ms.toFixed(1)} (${e.calls})`),
    ].join('\n'),
  );
}

const none = { ms: Number.NaN, cpu: Number.NaN, threads: 0 };
const wasm = withWasm ? engineStep('wasm') : none;
const onednn = engineStep('onednn');
const torch = torchStep(threads);
// The cpu backend needs minutes for one step at batch 32 (its weight gradient is a scalar JS
// loop); the step is dominated by per-example conv work, so it is timed at batch 4 and scaled.
const cpuBatch = 4;
let cpu = Number.NaN;
if (withCpu) {
  await tf.setBackend('cpu');
  cpu = (stepTimes(config, 1, cpuBatch).ms * batch) / cpuBatch;
}

console.log(
  `\nOne SGD step, small net (${activation}, width 0.5, fc 1024, input 112, batch ${batch}), ${threads} thread(s) (wasm: ${wasm.threads}, oneDNN: ${onednn.threads}), ms: wall (CPU of all threads)\n`,
);
const both = (t: { ms: number; cpu: number }) => `${fmt(t.ms)} (${fmt(t.cpu)})`;
const ratios = (a: { ms: number; cpu: number }, b: { ms: number; cpu: number }) =>
  `${ratio(a.ms, b.ms)} (${ratio(a.cpu, b.cpu)})`;
table(
  [
    'wasm + Rectifier',
    'oneDNN engine',
    'PyTorch CPU',
    `tfjs cpu (batch ${cpuBatch} ×${batch / cpuBatch})`,
    'wasm / PyTorch',
    'oneDNN / PyTorch',
    'wasm / oneDNN',
  ],
  [
    [
      both(wasm),
      both(onednn),
      both(torch),
      withCpu ? fmt(cpu) : '—',
      ratios(wasm, torch),
      ratios(onednn, torch),
      ratios(wasm, onednn),
    ],
  ],
);
