/**
 * Benchmark of @rectifier/trainer's run machinery, three figures (run by hand; wasm, 1 thread):
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/trainer.ts [--repeat 3] [--steps 12]
 *     [--only overhead|checkpoint|data]
 *
 * 1. Overhead: images/s of `train()` (loader, metrics.jsonl, progress, checkpoints every epoch:
 *    3 checkpoints for 2 epochs of 57 steps incl. step 0) vs the bare step — the same
 *    `stepGradients` + `sgd().apply` loop over the same batches already in memory — on the
 *    Fashion-MNIST subset with a small PReLU net (28×28, batch 32). Alternated `--repeat` times;
 *    also, within each train() run, the share of wall time outside the steps' computation
 *    (metrics.jsonl's stepMs vs the run's wall time), which does not depend on the load changing
 *    between runs on this shared machine.
 * 2. One checkpoint write (weights + momentum buffers, fsync, rename) of the CPU-scale small net
 *    (`cpuScaleVariants.small`: Table 1's layers at width ½, fc 1024, 10 classes).
 * 3. Data wait: the share of step time `train()` spends waiting for its loader (metrics.jsonl's
 *    dataMs / (dataMs + stepMs)), training `cpuScaleVariants.small` on 112 crops of real JPEGs
 *    (the augmentation benches' `makeBenchJpegs`: scikit-image's photographs cropped and
 *    re-encoded at 450–500 × 333–375, a quarter portrait) with scale jitter [128, 256]
 *    (the CPU-scale analogue of [256, 512] → 224) + crop + flip + PCA colour, with and without
 *    `createWorkerPool()`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prelu } from '@rectifier/activations';
import { buildModel, cpuScaleVariants } from '@rectifier/architectures';
import {
  compose,
  createWorkerPool,
  horizontalFlip,
  pcaLighting,
  randomCrop,
  scaleJitter,
} from '@rectifier/augmentation';
import { selectBackend } from '@rectifier/backend';
import {
  createImageLoader,
  createLoader,
  idxExample,
  loadFashionMnistSubset,
} from '@rectifier/data';
import {
  modelParts,
  namedWeights,
  sgd,
  stepGradients,
  train,
  weightName,
  writeCheckpoint,
} from '@rectifier/trainer';
import * as tf from '@tensorflow/tfjs';
import { makeBenchJpegs } from './benchJpegs';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const repeat = arg('repeat', 3);
const dataSteps = arg('steps', 12);
const work = mkdtempSync(join(tmpdir(), 'rectifier-bench-trainer-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function fashionNet() {
  const image = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers
    .conv2d({ name: 'conv1', filters: 16, kernelSize: 3, padding: 'same' })
    .apply(image) as tf.SymbolicTensor;
  x = prelu({ name: 'prelu1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: 'conv2', filters: 32, kernelSize: 3, padding: 'same' })
    .apply(x) as tf.SymbolicTensor;
  x = prelu({ name: 'prelu2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  const trunk = tf.model({ inputs: image, outputs: x });
  const map = tf.input({ shape: x.shape.slice(1) as number[] });
  let h = tf.layers.flatten({ name: 'flatten' }).apply(map) as tf.SymbolicTensor;
  h = tf.layers.dense({ name: 'fc1', units: 64 }).apply(h) as tf.SymbolicTensor;
  h = prelu({ name: 'prelu3' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ name: 'fc2', units: 10 }).apply(h) as tf.SymbolicTensor;
  const head = tf.model({ inputs: map, outputs: h });
  return {
    trunk,
    head,
    model: tf.model({
      inputs: image,
      outputs: head.apply(trunk.apply(image)) as tf.SymbolicTensor,
    }),
  };
}

function fashionLoader() {
  const ds = loadFashionMnistSubset('train');
  return createLoader({
    size: ds.count,
    batchSize: 32,
    seed: 1,
    label: (i) => ds.labels[i],
    load: async (i) => idxExample(ds, i),
  });
}

async function overhead() {
  const epochs = 2;
  const bare: number[] = [];
  const through: number[] = [];
  const inRun: number[] = [];
  for (let r = 0; r < repeat; r++) {
    // Bare: the batches of both epochs decoded first, then only the step.
    const net = fashionNet();
    const parts = modelParts(net);
    const opt = sgd({ learningRate: 0.01 });
    opt.bind([...parts.trunkWeights, ...parts.headWeights]);
    const loader = fashionLoader();
    const batches = [];
    for (let e = 0; e < epochs; e++) for await (const b of loader.epoch(e)) batches.push(b);
    const images = batches.reduce((n, b) => n + b.labels.shape[0], 0);
    const t0 = performance.now();
    for (const [k, b] of batches.entries()) {
      const g = await stepGradients(parts, b.images, b.labels, { dropoutSeed: k + 1 });
      opt.apply(g.grads, 0.01);
      tf.dispose(Object.values(g.grads));
    }
    bare.push((images * 1000) / (performance.now() - t0));
    tf.dispose(batches.flatMap((b) => [b.images, b.labels]));
    opt.dispose();
    net.model.dispose();

    const net2 = fashionNet();
    const s = await train({
      model: net2,
      optimizer: sgd({ learningRate: 0.01 }),
      trainLoader: fashionLoader(),
      epochs,
      runDir: join(work, `overhead-${r}`),
      seed: 1,
      checkpointEvery: 1,
      quiet: true,
    });
    through.push((images * 1000) / s.wallTimeMs);
    net2.model.dispose();
    // Within the same run (immune to the machine's load changing between runs): the share of
    // wall time outside the step computation itself (loader, metrics, progress, checkpoints).
    const steps = readFileSync(join(work, `overhead-${r}`, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((m) => m.type === 'step');
    const compute = steps.reduce((t, m) => t + m.stepMs, 0);
    inRun.push(1 - compute / s.wallTimeMs);
    console.log(
      `  run ${r + 1}: bare ${bare[r].toFixed(1)} img/s, train() ${through[r].toFixed(1)} img/s; in train(), ${(100 * inRun[r]).toFixed(2)} % of wall time outside the steps`,
    );
  }
  const ratio = median(through) / median(bare);
  console.log(
    `overhead: bare ${median(bare).toFixed(1)} img/s, train() ${median(through).toFixed(1)} img/s (median of ${repeat}): train/bare = ${ratio.toFixed(3)} (machinery ${((1 - ratio) * 100).toFixed(1)} %); in-run share outside the steps: median ${(100 * median(inRun)).toFixed(2)} %`,
  );
}

function checkpointWrite() {
  const v = cpuScaleVariants.small;
  const built = buildModel(v.model, { ...v.options, softmax: false, seed: 1 });
  const weights = namedWeights(built.trunk, built.head);
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < Math.max(3, repeat); r++) {
    const t0 = performance.now();
    // What train() does: read every weight back from the backend, then write.
    const ws = built.model.weights.map((w) => ({
      name: weightName(w),
      shape: w.shape as number[],
      data: Float32Array.from(w.read().dataSync() as Float32Array),
    }));
    const buffers = weights.map((w) => ({
      name: w.name,
      shape: w.variable.shape,
      data: new Float32Array(w.variable.size),
    }));
    bytes = [...ws, ...buffers].reduce((n, t) => n + t.data.byteLength, 0);
    writeCheckpoint(join(work, 'ckpt'), {
      step: r,
      epoch: 0,
      batchInEpoch: 0,
      valError: null,
      schedule: {},
      metricsBytes: 0,
      slopesBytes: 0,
      elapsedMs: 0,
      weights: ws,
      buffers,
    });
    times.push(performance.now() - t0);
  }
  console.log(
    `checkpoint write, CPU-scale small net (${(bytes / 2 ** 20).toFixed(1)} MiB incl. momentum): median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
  );
  built.model.dispose();
}

async function dataWait() {
  const files = await makeBenchJpegs(work, 96);
  const dataset = {
    classes: ['a', 'b'],
    samples: files.map((path, i) => ({ path, label: i % 2 })),
  };
  const pipeline = compose(
    scaleJitter({ min: 128, max: 256 }),
    randomCrop(112),
    horizontalFlip(0.5),
    pcaLighting({
      eigenStd: [0.2175 * 255, 0.0188 * 255, 0.0045 * 255],
      eigenvectors: [-0.5675, 0.7192, 0.4009, -0.5808, -0.0045, -0.814, -0.5836, -0.6948, 0.4203],
      std: 0.1,
    }),
  );
  const v = cpuScaleVariants.small;
  for (const pool of [null, createWorkerPool()]) {
    const built = buildModel(v.model, { ...v.options, softmax: false, seed: 1 });
    const p = pool ? pipeline.withWorkers(pool) : pipeline;
    const loader = createImageLoader(dataset, { batchSize: 32, seed: 1, transform: p.transform });
    const runDir = join(work, `data-${pool ? 'pool' : 'main'}`);
    const steps = dataSteps;
    // 96 images = 3 steps per epoch; `steps` steps = steps/3 epochs, checkpoint at the end only.
    await train({
      model: built,
      optimizer: sgd({ learningRate: 0.001 }),
      trainLoader: loader,
      epochs: Math.ceil(steps / 3),
      runDir,
      seed: 1,
      checkpointEvery: 1000,
      quiet: true,
    });
    const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((m) => m.type === 'step' && m.step > 1); // step 1 includes the first decode
    const data = lines.reduce((s, m) => s + m.dataMs, 0);
    const step = lines.reduce((s, m) => s + m.stepMs, 0);
    console.log(
      `data wait ${pool ? `with worker pool (${pool.size} workers)` : 'without pool'}: ${((100 * data) / (data + step)).toFixed(1)} % of step time (data ${(data / lines.length).toFixed(0)} ms, step ${(step / lines.length).toFixed(0)} ms per step, ${lines.length} steps)`,
    );
    await pool?.close();
    built.model.dispose();
  }
}

const backend = await selectBackend({ prefer: 'wasm' });
console.log(
  `backend ${backend.name}, ${backend.threads} thread(s); shared machine: figures are noisy`,
);
try {
  const only = process.argv.includes('--only')
    ? process.argv[process.argv.indexOf('--only') + 1]
    : 'all';
  if (only === 'all' || only === 'overhead') await overhead();
  if (only === 'all' || only === 'checkpoint') checkpointWrite();
  if (only === 'all' || only === 'data') await dataWait();
} finally {
  rmSync(work, { recursive: true, force: true });
}
