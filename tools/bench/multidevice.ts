/**
 * Multi-device training throughput: images/s of `train()` on the CPU-scale small net (PReLU,
 * width 0.5, fc 1024, 112 crops, batch 32, wasm with 1 thread per process) as 1 process vs
 * 2 workers — hybrid (the paper's Sec. 3) and data-parallel, on the `local` engine and on the
 * `mpi` engine (mpirun, btl self,vader) — plus rank 0's communication time per step (time inside
 * collectives, waiting for the slower rank included). Medians over the steps after the first two.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/multidevice.ts [--steps 8] [--model small|A]
 *
 * The machine has 2 cores shared with other jobs: the load average is printed with the table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@rectifier/backend';
import { createLoader } from '@rectifier/data';
import { buildModel, cpuScaleVariants } from '../../packages/architectures/src/index';
import { sgd, train } from '../../packages/trainer/src/index';
import { fmt, ratio, table } from './timing';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const steps = Number(arg('--steps', '8'));
const which = arg('--model', 'small') as 'small' | 'A';
const batch = 32;

async function runOnce(runDir: string, devices: number, parallel: 'hybrid' | 'data') {
  await selectBackend({ prefer: 'wasm', threads: 1 });
  const variant = cpuScaleVariants[which];
  const built = buildModel(variant.model, {
    ...variant.options,
    activation: 'prelu',
    seed: 1,
    softmax: false,
  });
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
    ...(devices > 1 ? { devices, parallel } : {}),
  });
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
  if (mode === '--rank') {
    // One rank of an mpirun launch (below): the mpi engine and the rank come from mpirun.
    await runOnce(runDir, Number(process.env.OMPI_COMM_WORLD_SIZE), parallel as 'hybrid' | 'data');
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'rectifier-bench-md-'));
  const results: { name: string; r: ReturnType<typeof measured> }[] = [];
  const load0 = loadavg()[0];
  const one = join(root, 'one');
  await runOnce(one, 1, 'hybrid');
  results.push({ name: '1 process', r: measured(one) });
  for (const parallel of ['hybrid', 'data'] as const) {
    const dir = join(root, `local-${parallel}`);
    await runOnce(dir, 2, parallel);
    results.push({ name: `local, 2 workers, ${parallel}`, r: measured(dir) });
  }
  const tsx = createRequire(import.meta.url).resolve('tsx/esm');
  for (const parallel of ['hybrid', 'data'] as const) {
    const dir = join(root, `mpi-${parallel}`);
    execFileSync(
      'mpirun',
      [
        '--oversubscribe',
        '-np',
        '2',
        '--mca',
        'btl',
        'self,vader',
        process.execPath,
        '--conditions=@rectifier/source',
        '--import',
        tsx,
        fileURLToPath(import.meta.url),
        '--rank',
        dir,
        parallel,
        '--steps',
        String(steps),
        '--model',
        which,
      ],
      {
        env: { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    results.push({ name: `mpi, 2 ranks, ${parallel}`, r: measured(dir) });
  }
  const base = results[0].r.imagesPerSec;
  console.log(
    `${which} net (CPU scale), batch ${batch}, wasm 1 thread per process, ${steps} steps (median of steps 3–${steps}); load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)} on ${
      (await import('node:os')).cpus().length
    } cores`,
  );
  table(
    ['run', 'images/s', 'vs 1 process', 'step ms', 'comm ms/step'],
    results.map(({ name, r }) => [
      name,
      r.imagesPerSec.toFixed(1),
      ratio(r.imagesPerSec, base),
      fmt(r.stepMs),
      fmt(r.commMs),
    ]),
  );
  rmSync(root, { recursive: true, force: true });
}

await main();
