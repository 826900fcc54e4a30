/**
 * Where one SGD step's CPU goes, and the two-thread bound that follows (Amdahl). Nets: `small`,
 * tools/bench/step.ts's (width 0.5, fc 1024, input 112); `table2`, the `table2` cpu preset's, built
 * as the app builds it (width 0.25, fc 1024, 80 crops). Batch 32, Rectifier's SGD (momentum 0.9,
 * weight decay 5e-4).
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/stepProfile.ts [--net small|table2]
 *     [--relu] [--steps 10] [--threads 1] [--backend onednn|wasm]
 *
 * Prints the median CPU ms per step (`process.cpuUsage`, all threads) and tfjs's per-kernel
 * profile of one step, each kernel classed as run by the oneDNN engine (threaded) or by wasm
 * (one thread) with the engine's own rules (heap.ts's `minElementwise` for elementwise kernels).
 * What the kernels do not account for is JS: dispatch, autodiff's tape, the SPP gradient's loop,
 * GC — serial too. With p the engine's share of a one-thread step, 2 threads give at most
 * 1 / ((1 − p) + p / 2).
 */
import { buildModel } from '@rectifier/architectures';
import { selectBackend } from '@rectifier/backend';
import { namedWeights, sgd } from '@rectifier/trainer';
import * as tf from '@tensorflow/tfjs';
import { benchConfig, buildSmallNet } from './smallNet';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const steps = Number(opt('--steps', '10'));
const threads = Number(opt('--threads', '1'));
const backend = opt('--backend', 'onednn') as 'onednn' | 'wasm';
const net = opt('--net', 'table2');
const activation = args.includes('--relu') ? 'relu' : 'prelu';

const info = await selectBackend({ prefer: backend, threads });

function build() {
  if (net === 'small') {
    const n = buildSmallNet({ ...benchConfig, activation });
    return {
      named: n.named,
      logits: (x: tf.Tensor4D) => n.logits(x, true),
      input: benchConfig.input,
    };
  }
  // The app's buildFromConfig for `--preset table2/<activation> --scale cpu`.
  const built = buildModel('small', {
    activation,
    activationOptions: { init: 0.25 },
    init: 'msra-fan-out',
    seed: 0,
    numClasses: 10,
    inputChannels: 3,
    widthMultiplier: 0.25,
    fcUnits: 1024,
    softmax: false,
  });
  return {
    named: namedWeights(built.model),
    logits: (x: tf.Tensor4D) => built.model.apply(x, { training: true }) as tf.Tensor,
    input: 80,
  };
}

const { named, logits, input } = build();
const variables = named.map((w) => w.variable);
const optimizer = sgd({ learningRate: 1e-3, momentum: 0.9, weightDecay: 5e-4 });
optimizer.bind(named);
const x = tf.randomNormal([32, input, input, 3]) as tf.Tensor4D;
const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32') as tf.Tensor1D, 10);

function step(): tf.Scalar {
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar,
    variables,
  );
  optimizer.apply(Object.fromEntries(named.map((w) => [w.name, grads[w.variable.name]])), 1e-3);
  tf.dispose(Object.values(grads));
  return value;
}

step().dispose();
const cpu: number[] = [];
const before = tf.memory().numTensors;
for (let i = 0; i < steps; i++) {
  const u0 = process.cpuUsage();
  const loss = step();
  await loss.data();
  loss.dispose();
  const u = process.cpuUsage(u0);
  cpu.push((u.user + u.system) / 1000);
}
if (tf.memory().numTensors !== before) throw new Error('the step leaks tensors');
cpu.sort((a, b) => a - b);
const median = cpu[cpu.length >> 1];
const least = cpu[0];

// The engine's kernels (register.ts) and which calls it takes (elementwise: ≥ 2^16 elements).
const engineAlways = new Set([
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  '_FusedMatMul',
  'MaxPool',
  'MaxPoolGrad',
  'RectifierPreluGrad',
  'RectifierSgdUpdate',
  'RectifierSppMaxPool',
  'RectifierSppFirstMaximumGrad',
]);
const engineIfLarge = new Set([
  'Add',
  'Sub',
  'Multiply',
  'Relu',
  'LeakyRelu',
  'Step',
  'Prelu',
  'RectifierReluGrad',
]);
const elements = (s: number[] | undefined) => (s ?? []).reduce((a, b) => a * b, 1);
const onEngine = (k: { name: string; outputShapes: (number[] | undefined)[] }) =>
  backend === 'onednn' &&
  (engineAlways.has(k.name) ||
    (engineIfLarge.has(k.name) && elements(k.outputShapes[0]) >= 1 << 16));

// Several profiled steps, each kernel call's time the minimum over them (the calls come in the
// same order every step): on a shared machine one profiled step is mostly other processes' time.
const profiled: { name: string; outputShapes: (number[] | undefined)[]; ms: number }[][] = [];
for (let i = 0; i < Math.max(3, steps); i++) {
  const p = await tf.profile(() => step());
  profiled.push(
    p.kernels
      // Only kernels: ops and custom gradients that wrap them (`…__op`, `forward`, unnamed
      // scopes) are profiled too and would count their kernels twice.
      .filter((k) => tf.getKernel(k.name, tf.getBackend()) !== undefined)
      .map((k) => ({ name: k.name, outputShapes: k.outputShapes, ms: k.kernelTimeMs as number })),
  );
}
const leaves = profiled[0].map((k, i) => ({
  ...k,
  ms: Math.min(...profiled.map((run) => run[i]?.ms ?? Number.POSITIVE_INFINITY)),
}));
const byKernel = new Map<string, { ms: number; calls: number; engine: number }>();
let engineMs = 0;
let wasmMs = 0;
for (const k of leaves) {
  const ms = k.ms;
  const key = k.name;
  const e = byKernel.get(key) ?? { ms: 0, calls: 0, engine: 0 };
  e.ms += ms;
  e.calls++;
  if (onEngine(k)) {
    e.engine += ms;
    engineMs += ms;
  } else wasmMs += ms;
  byKernel.set(key, e);
}
const kernelMs = engineMs + wasmMs;
// Against the least CPU time of a step: both are the least disturbed figures this run has.
const jsMs = Math.max(0, least - kernelMs);
const share = Math.min(1, engineMs / Math.max(least, kernelMs));
console.log(
  `${net} net, ${activation}, ${info.name} ${info.threads} thread(s): CPU ms/step median ${median.toFixed(1)} (min ${cpu[0].toFixed(1)}, ${steps} steps)`,
);
console.log(
  `  kernels ${kernelMs.toFixed(1)} ms (each call's least time over ${profiled.length} profiled steps): engine ${engineMs.toFixed(1)}, wasm ${wasmMs.toFixed(1)}; ` +
    `JS and the rest ${jsMs.toFixed(1)} (least CPU − kernels)`,
);
console.log(
  `  engine share p = ${share.toFixed(2)} → 1→2 threads at most ${(1 / (1 - share + share / 2)).toFixed(2)}×`,
);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  const where =
    e.engine === e.ms ? 'engine' : e.engine === 0 ? 'wasm' : `engine ${e.engine.toFixed(2)}`;
  console.log(
    `  ${name.padEnd(24)} ${e.ms.toFixed(2).padStart(8)} ms ${String(e.calls).padStart(4)} calls  ${where}`,
  );
}
