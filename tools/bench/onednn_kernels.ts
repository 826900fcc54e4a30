/**
 * Per-kernel GFLOP/s of the small net's training step (width 0.5, input 112, batch 32: the
 * layers `step.ts` trains) on the oneDNN engine, 1 and 2 threads, against wasm with Rectifier's
 * kernels (1 thread), in one process. A multiply-add counts as 2 FLOPs; the machine's peak is
 * ~110 GFLOP/s per core (oneDNN's own forward conv on one AVX-512 core, TOOLCHAIN.md).
 * One-thread figures use the process's CPU time (robust to other jobs on a shared machine;
 * equal to wall time on a quiet one), two-thread figures wall time.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/onednn_kernels.ts [--repeats 3]
 */
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
// The engine's internals, for its thread count and the implementations oneDNN picked.
import { loadOneDnnAddon } from '../../packages/backend/src/onednn/addon';
import { setOneDnnEnabled } from '../../packages/backend/src/onednn/register';
import { fmt, table, timeMs as wallMs } from './timing';

let useCpuTime = true;
/** Median ms of `fn` (with its read-back), CPU time of the process or wall time. */
function timeMs(fn: () => tf.Tensor | tf.Tensor[], reps: number): number {
  if (!useCpuTime) return wallMs(fn, reps);
  const run = () => {
    const c0 = process.cpuUsage();
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) {
      t.dataSync();
      t.dispose();
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  run();
  const times = Array.from({ length: reps }, run).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 3;
const batch = 32;

interface Conv {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

// Width 0.5: conv1 7×7/2 valid 112 → 53; pool → 17 (conv2–5), pool → 8 (conv6–11).
const convs: Conv[] = [
  {
    name: 'conv1 7×7, 3→32, /2',
    x: [batch, 112, 112, 3],
    w: [7, 7, 3, 32],
    stride: 2,
    pad: 'valid',
  },
  {
    name: 'conv2 2×2, 32→64 @17',
    x: [batch, 17, 17, 32],
    w: [2, 2, 32, 64],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'conv3 2×2, 64→64 @17',
    x: [batch, 17, 17, 64],
    w: [2, 2, 64, 64],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'conv6 2×2, 64→128 @8',
    x: [batch, 8, 8, 64],
    w: [2, 2, 64, 128],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'conv7 2×2, 128→128 @8',
    x: [batch, 8, 8, 128],
    w: [2, 2, 128, 128],
    stride: 1,
    pad: 'same',
  },
];

/** Multiply-adds ×2 of a conv (and of each of its gradients: the same count). */
function convFlops(c: Conv): number {
  const [n, h, w] = c.x;
  const [kh, kw, ci, co] = c.w;
  const oh = c.pad === 'same' ? Math.ceil(h / c.stride) : Math.floor((h - kh) / c.stride) + 1;
  const ow = c.pad === 'same' ? Math.ceil(w / c.stride) : Math.floor((w - kw) / c.stride) + 1;
  return 2 * n * oh * ow * kh * kw * ci * co;
}

function convTimes(c: Conv) {
  const x = tf.randomNormal(c.x) as tf.Tensor4D;
  const w = tf.randomNormal(c.w) as tf.Tensor4D;
  const y = tf.conv2d(x, w, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.w };
  const t = [
    timeMs(() => tf.conv2d(x, w, c.stride, c.pad), repeats),
    timeMs(
      () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor,
      repeats,
    ),
    timeMs(() => tf.conv2dTranspose(dy, w, c.x, c.stride, c.pad), repeats),
  ];
  tf.dispose([x, w, y, dy]);
  return t;
}

// fc1 of the step: SPP (6²+3²+2²+1²)·128 = 6400 → 1024.
const fc = { m: batch, k: 6400, n: 1024 };
function fcTimes() {
  const a = tf.randomNormal([fc.m, fc.k]);
  const w = tf.randomNormal([fc.k, fc.n]);
  const dy = tf.randomNormal([fc.m, fc.n]);
  const t = [
    timeMs(() => tf.matMul(a, w), repeats),
    timeMs(() => tf.matMul(a, dy, true, false), repeats),
    timeMs(() => tf.matMul(dy, w, false, true), repeats),
  ];
  tf.dispose([a, w, dy]);
  return t;
}

function poolTimes() {
  // The step's first pool: 3×3/3 over conv1's 53×53×32.
  const x = tf.randomNormal([batch, 53, 53, 32]) as tf.Tensor4D;
  const dy = tf.randomNormal([batch, 17, 17, 32]);
  const t = [
    timeMs(() => tf.maxPool(x, 3, 3, 'valid'), repeats),
    timeMs(
      () =>
        tf.grad((a: tf.Tensor) =>
          tf
            .maxPool(a as tf.Tensor4D, 3, 3, 'valid')
            .mul(dy)
            .sum(),
        )(x),
      repeats,
    ),
  ];
  tf.dispose([x, dy]);
  return t;
}

const all = () => ({ convs: convs.map(convTimes), fc: fcTimes(), pool: poolTimes() });

await selectBackend({ prefer: 'onednn', threads: 1 });
const addon = loadOneDnnAddon();
if (addon instanceof Error) throw addon;
const one = all();
addon.setThreads(2);
useCpuTime = false;
const two = all();
useCpuTime = true;
addon.setThreads(1);
setOneDnnEnabled(false);
const wasm = all();

const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1);
console.log(
  `\nGFLOP/s (ms), batch ${batch}, median of ${repeats}; oneDNN 1 and 2 threads, wasm + Rectifier 1 thread; 1 thread: CPU time, 2 threads: wall time\n`,
);
const rows: string[][] = [];
const kinds = ['fwd', 'dW', 'dx'];
convs.forEach((c, i) => {
  kinds.forEach((kind, j) => {
    const f = convFlops(c);
    rows.push([
      `${c.name} ${kind}`,
      `${gflops(f, one.convs[i][j])} (${fmt(one.convs[i][j])})`,
      `${gflops(f, two.convs[i][j])} (${fmt(two.convs[i][j])})`,
      `${gflops(f, wasm.convs[i][j])} (${fmt(wasm.convs[i][j])})`,
      `${(wasm.convs[i][j] / one.convs[i][j]).toFixed(1)}×`,
      `${(one.convs[i][j] / two.convs[i][j]).toFixed(2)}×`,
    ]);
  });
});
['fwd x·W', 'dW xᵀ·dy', 'dx dy·Wᵀ'].forEach((kind, j) => {
  const f = 2 * fc.m * fc.k * fc.n;
  rows.push([
    `fc1 6400→1024 ${kind}`,
    `${gflops(f, one.fc[j])} (${fmt(one.fc[j])})`,
    `${gflops(f, two.fc[j])} (${fmt(two.fc[j])})`,
    `${gflops(f, wasm.fc[j])} (${fmt(wasm.fc[j])})`,
    `${(wasm.fc[j] / one.fc[j]).toFixed(1)}×`,
    `${(one.fc[j] / two.fc[j]).toFixed(2)}×`,
  ]);
});
['maxPool 3/3 @53 (ms)', 'maxPool fwd+grad (ms)'].forEach((kind, j) => {
  rows.push([
    kind,
    fmt(one.pool[j]),
    fmt(two.pool[j]),
    fmt(wasm.pool[j]),
    `${(wasm.pool[j] / one.pool[j]).toFixed(1)}×`,
    `${(one.pool[j] / two.pool[j]).toFixed(2)}×`,
  ]);
});
table(
  [
    'kernel',
    'oneDNN 1 thr',
    'oneDNN 2 thr',
    'wasm 1 thr',
    'wasm / oneDNN-1',
    'CPU 1 thr / wall 2 thr',
  ],
  rows,
);

console.log('\noneDNN implementations:');
const seen = new Set<string>();
for (const p of addon.implementations()) {
  const line = `${p.kind} [${p.sizes.slice(0, 9).join(',')}…] ${p.impl}`;
  if (!seen.has(line)) console.log(line);
  seen.add(line);
}
