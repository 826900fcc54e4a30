/**
 * Multi-device training throughput: images/s of `train()` on the CPU-scale small net (PReLU,
 * width 0.5, fc 1024, 112 crops, batch 32, wasm or the oneDNN engine (`--backend`) with 1 thread
 * per process) as 1 process vs 2 workers — hybrid (the paper's Sec. 3) and data-parallel, on
 * the `local` engine and on the `mpi` engine (mpirun, btl self,vader) — plus rank 0's communication time per step (time inside
 * collectives, waiting for the slower rank included). Medians over the steps after the first two.
 * Two more lines bound what any scheme could reach here: two independent single processes run
 * at once (the machine's own 2-core scaling, no communication), and the head's share of a step
 * (hybrid mode runs it on rank 0 alone).
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/multidevice.ts [--steps 8] [--model small|A] [--rounds 3]
 *     [--backend wasm|onednn]
 *
 * The machine has 2 cores shared with other jobs: the load average is printed with the table.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@rectifier/backend';
import { createLoader } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';
import { buildModel, cpuScaleVariants } from '../../packages/architectures/src/index';
import { headGradients, modelParts, sgd, train } from '../../packages/trainer/src/index';
import { fmt, ratio, table } from './timing';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const steps = Number(arg('--steps', '8'));
const which = arg('--model', 'small') as 'small' | 'A';
const rounds = Number(arg('--rounds', '1'));
const engine = arg('--backend', 'wasm') as 'wasm' | 'onednn';
const batch = 32;

/** The benchmarked net on `--backend` (wasm or onednn) with 1 thread (one core per process, as one device). */
async function benchNet() {
  await selectBackend({ prefer: engine, threads: 1 });
  const variant = cpuScaleVariants[which];
  const built = buildModel(variant.model, {
    ...variant.options,
    activation: 'prelu',
    seed: 1,
    softmax: false,
  });
  return { variant, built };
}

async function runOnce(runDir: string, devices: number, parallel: 'hybrid' | 'data') {
  const { variant, built } = await benchNet();
  const side = variant.cropSize;
  const pixels = new Float32Array(side * side * 3).map((_, i) => Math.sin(i) * 50);
  const loader = createLoader({
    size: batch * steps,
    batchSize: batch,
    seed: 1,
    shuffle: false,
    label: (i) => i % 10,
    load: async () => ({ data: pixels, height: side, width: side, channels: 3 }),
  });
  await train({
    model: built,
    optimizer: sgd({ learningRate: 1e-4 }),
    trainLoader: loader,
    epochs: 1,
    seed: 1,
    quiet: true,
    runDir,
    checkpointEvery: 1,
    backendName: engine,
    ...(devices > 1 ? { devices, parallel } : {}),
  });
}

async function runMeasured(runDir: string, devices: number, parallel: 'hybrid' | 'data') {
  await runOnce(runDir, devices, parallel);
  return measured(runDir);
}

/**
 * The head's forward + backward on the whole batch (what rank 0 alone runs in hybrid mode),
 * median of 5 after one warm-up: with step time S on one process and head time H, two workers
 * can at best take (S − H)/2 + H, the ceiling of the paper's scheme on this net.
 */
async function headMs(): Promise<number> {
  const { variant, built } = await benchNet();
  const parts = modelParts(built);
  const side = variant.cropSize;
  const x = tf.randomNormal([batch, side, side, 3], 0, 50, 'float32', 1);
  const features = tf.tidy(() => (parts.trunk as tf.LayersModel).predict(x) as tf.Tensor);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const r = headGradients(parts, features, labels);
    await r.featureGrad.data();
    times.push(performance.now() - t0);
    tf.dispose([r.loss, r.logits, r.featureGrad, ...Object.values(r.grads)]);
  }
  tf.dispose([x, features, labels]);
  return median(times.slice(1));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measured(runDir: string) {
  const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === 'step' && l.step > 2);
  return {
    imagesPerSec: median(lines.map((l) => l.imagesPerSec)),
    stepMs: median(lines.map((l) => l.stepMs)),
    commMs: lines[0].commMs === undefined ? 0 : median(lines.map((l) => l.commMs)),
  };
}

async function main() {
  const [mode, runDir, parallel] = args;
  if (mode === '--single') {
    await runOnce(runDir, 1, 'hybrid');
    return;
  }
  if (mode === '--rank') {
    // One rank of an mpirun launch (below): the mpi engine and the rank come from mpirun.
    await runOnce(runDir, Number(process.env.OMPI_COMM_WORLD_SIZE), parallel as 'hybrid' | 'data');
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'rectifier-bench-md-'));
  const load0 = loadavg()[0];
  const tsx = createRequire(import.meta.url).resolve('tsx/esm');
  const self = ['--conditions=@rectifier/source', '--import', tsx, fileURLToPath(import.meta.url)];
  const child = (d: string) =>
    new Promise<void>((done, fail) =>
      execFile(
        process.execPath,
        [
          ...self,
          '--single',
          d,
          'hybrid',
          '--steps',
          String(steps),
          '--model',
          which,
          '--backend',
          engine,
        ],
        (e) => (e ? fail(e) : done()),
      ),
    );
  const mpi = (dir: string, parallel: 'hybrid' | 'data') =>
    execFileSync(
      'mpirun',
      [
        ...['--oversubscribe', '-np', '2', '--mca', 'btl', 'self,vader', process.execPath],
        ...[...self, '--rank', dir, parallel, '--steps', String(steps), '--model', which],
        ...['--backend', engine],
      ],
      {
        env: { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  type Measured = ReturnType<typeof measured>;
  const runs: { name: string; run: (dir: string) => Promise<Measured> }[] = [
    { name: '1 process', run: (d) => runMeasured(d, 1, 'hybrid') },
    {
      // The machine's own ceiling for any 2-worker scheme: two independent single processes at
      // once (no communication at all), their images/s summed.
      name: '2 independent processes (sum)',
      run: async (d) => {
        const pair = [`${d}-a`, `${d}-b`];
        await Promise.all(pair.map(child));
        const [a, b] = pair.map(measured);
        return {
          imagesPerSec: a.imagesPerSec + b.imagesPerSec,
          stepMs: (a.stepMs + b.stepMs) / 2,
          commMs: 0,
        };
      },
    },
    ...(['hybrid', 'data'] as const).map((parallel) => ({
      name: `local, 2 workers, ${parallel}`,
      run: (d: string) => runMeasured(d, 2, parallel),
    })),
    ...(['hybrid', 'data'] as const).map((parallel) => ({
      name: `mpi, 2 ranks, ${parallel}`,
      run: async (d: string) => {
        mpi(d, parallel);
        return measured(d);
      },
    })),
  ];
  // This VM's speed drifts by ±30 % over minutes, so the runs are interleaved in rounds and each
  // ratio is taken against the same round's single process.
  const got = runs.map(() => [] as { r: Measured; vs: number }[]);
  for (let round = 0; round < rounds; round++) {
    let base = 0;
    for (const [i, { run }] of runs.entries()) {
      const r = await run(join(root, `r${round}-${i}`));
      if (i === 0) base = r.imagesPerSec;
      got[i].push({ r, vs: r.imagesPerSec / base });
    }
  }
  const head = await headMs();
  const step1 = median(got[0].map((g) => g.r.stepMs));
  console.log(
    `${which} net (CPU scale), batch ${batch}, ${engine} 1 thread per process, ${steps} steps (median of steps 3–${steps}), ${rounds} interleaved round(s); load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)} on ${
      (await import('node:os')).cpus().length
    } cores`,
  );
  const x = (v: number) => `${v.toFixed(2)}×`;
  table(
    ['run', 'images/s', 'vs 1 process (median, min–max)', 'step ms', 'comm ms/step'],
    runs.map(({ name }, i) => {
      const vs = got[i].map((g) => g.vs);
      return [
        name,
        median(got[i].map((g) => g.r.imagesPerSec)).toFixed(1),
        rounds === 1 ? x(vs[0]) : `${x(median(vs))} (${x(Math.min(...vs))}–${x(Math.max(...vs))})`,
        fmt(median(got[i].map((g) => g.r.stepMs))),
        fmt(median(got[i].map((g) => g.r.commMs))),
      ];
    }),
  );
  console.log(
    `head (fc layers, fwd + bwd, batch ${batch}) ${fmt(head)} ms of the ${fmt(step1)} ms step (${((100 * head) / step1).toFixed(0)} %): ` +
      `2 workers in hybrid mode can reach at most ${ratio(step1, (step1 - head) / 2 + head)} (head on rank 0 alone, no communication)`,
  );
  rmSync(root, { recursive: true, force: true });
}

await main();
