/**
 * Per-kernel timings for the conv layers of the small net (paper Table 1, full width) at input
 * 112, batch 32: forward conv vs weight gradient vs input gradient, on wasm with Rectifier's
 * kernels, on wasm's own kernels where it has them, and on the tfjs cpu backend.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/kernels.ts [--no-cpu] [--repeats 5]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@rectifier/backend';
import { fmt, ratio, table, timeMs } from './timing';

const args = process.argv.slice(2);
const withCpu = !args.includes('--no-cpu');
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 5;
const batch = 32;

interface Layer {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

// Map sizes at input 112: conv1 7×7/2 valid → 53, pool 3/3 → 17, pool 2/2 → 8.
const layers: Layer[] = [
  {
    name: 'conv1 7×7, 3→64, /2',
    x: [batch, 112, 112, 3],
    w: [7, 7, 3, 64],
    stride: 2,
    pad: 'valid',
  },
  {
    name: 'conv2 2×2, 64→128 @17',
    x: [batch, 17, 17, 64],
    w: [2, 2, 64, 128],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'conv3-5 2×2, 128→128 @17',
    x: [batch, 17, 17, 128],
    w: [2, 2, 128, 128],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'conv6 2×2, 128→256 @8',
    x: [batch, 8, 8, 128],
    w: [2, 2, 128, 256],
    stride: 1,
    pad: 'same',
  },
  {
    name: 'conv7-11 2×2, 256→256 @8',
    x: [batch, 8, 8, 256],
    w: [2, 2, 256, 256],
    stride: 1,
    pad: 'same',
  },
];

interface Timings {
  forward: number;
  filterGrad: number;
  inputGrad: number;
}

function measure(layer: Layer, reps: number, skip: { filterGrad?: boolean } = {}): Timings {
  const x = tf.randomNormal(layer.x) as tf.Tensor4D;
  const w = tf.randomNormal(layer.w) as tf.Tensor4D;
  const y = tf.conv2d(x, w, layer.stride, layer.pad);
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const t = {
    forward: timeMs(() => tf.conv2d(x, w, layer.stride, layer.pad), reps),
    filterGrad: skip.filterGrad
      ? Number.NaN
      : timeMs(
          () =>
            tf
              .engine()
              .runKernel(
                tf.Conv2DBackpropFilter,
                { x, dy },
                { strides: layer.stride, pad: layer.pad, dataFormat: 'NHWC', filterShape: layer.w },
              ) as tf.Tensor,
          reps,
        ),
    inputGrad: timeMs(() => tf.conv2dTranspose(dy, w, layer.x, layer.stride, layer.pad), reps),
  };
  tf.dispose([x, w, y, dy]);
  return t;
}

await tf.setBackend('wasm');
const a = tf.randomNormal([batch, 4608]);
const wFc = tf.randomNormal([4608, 4096]);
const dyFc = tf.randomNormal([batch, 4096]);
// In training W is a new tensor every step, which matters on wasm: XNNPACK packs its right
// operand once per tensor. `forwardFresh` times the product with a W it has not seen.
const freshForward = (reps: number) => {
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const w = tf.add(wFc, 0);
    w.dataSync();
    const start = performance.now();
    const y = tf.matMul(a, w);
    y.dataSync();
    if (i > 0) times.push(performance.now() - start);
    tf.dispose([w, y]);
  }
  return times.sort((p, q) => p - q)[times.length >> 1];
};
const fcTimes = () => ({
  forwardFresh: freshForward(Math.min(repeats, 3)),
  forward: timeMs(() => tf.matMul(a, wFc), repeats),
  filterGrad: timeMs(() => tf.matMul(a, dyFc, true, false), Math.min(repeats, 3)),
  inputGrad: timeMs(() => tf.matMul(dyFc, wFc, false, true), Math.min(repeats, 3)),
});
const fcOwn = fcTimes();
// wasm's own kernels first (it has no Conv2DBackpropFilter at all), then ours.
const own = layers.map((l) => measure(l, Math.min(repeats, 3), { filterGrad: true }));
registerWasmTrainingKernels();
const ours = layers.map((l) => measure(l, repeats));
const fcOurs = fcTimes();
// The cpu backend's weight gradient is a scalar JS loop (~40× its forward conv, ~minutes per
// layer at batch 32); its cost is linear in the batch, so it is timed at batch 2 and scaled.
const cpuBatch = 2;
let cpu: Timings[] = [];
if (withCpu) {
  await tf.setBackend('cpu');
  cpu = layers.map((l) => {
    const t = measure({ ...l, x: [cpuBatch, l.x[1], l.x[2], l.x[3]] }, 1);
    const scale = batch / cpuBatch;
    return {
      forward: t.forward * scale,
      filterGrad: t.filterGrad * scale,
      inputGrad: t.inputGrad * scale,
    };
  });
}

console.log(
  `\nConv kernels, input 112, batch ${batch}, ms (median of ${repeats}); one thread` +
    (withCpu ? `; cpu columns timed at batch ${cpuBatch} and scaled ×${batch / cpuBatch}` : '') +
    '\n',
);
table(
  [
    'layer',
    'fwd',
    'dW ours',
    'dx ours',
    'dW/fwd',
    'dx/fwd',
    'dx wasm-own',
    'own/ours',
    ...(withCpu ? ['fwd cpu', 'dW cpu', 'dx cpu', 'cpu dW/ours'] : []),
  ],
  layers.map((l, i) => [
    l.name,
    fmt(ours[i].forward),
    fmt(ours[i].filterGrad),
    fmt(ours[i].inputGrad),
    ratio(ours[i].filterGrad, ours[i].forward),
    ratio(ours[i].inputGrad, ours[i].forward),
    fmt(own[i].inputGrad),
    ratio(own[i].inputGrad, ours[i].inputGrad),
    ...(withCpu
      ? [
          fmt(cpu[i].forward),
          fmt(cpu[i].filterGrad),
          fmt(cpu[i].inputGrad),
          ratio(cpu[i].filterGrad, ours[i].filterGrad),
        ]
      : []),
  ]),
);

// The dense layers' gradients: wasm's BatchMatMul with a transposed operand.
console.log(`\nfc1 (4608→4096, batch ${batch}), ms: wasm's own BatchMatMul vs Rectifier's\n`);
table(
  ['', 'fwd, new W', 'fwd', 'dW (aᵀ·dy)', 'dx (dy·Wᵀ)', 'dW/fwd', 'dx/fwd'],
  [fcOwn, fcOurs].map((t, i) => [
    i === 0 ? 'wasm own' : 'Rectifier',
    fmt(t.forwardFresh),
    fmt(t.forward),
    fmt(t.filterGrad),
    fmt(t.inputGrad),
    ratio(t.filterGrad, t.forward),
    ratio(t.inputGrad, t.forward),
  ]),
);
