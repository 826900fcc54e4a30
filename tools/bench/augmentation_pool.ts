/**
 * Benchmark: @rectifier/augmentation's worker pool against the same pipeline on the calling
 * thread, with the JPEGs already in memory (no file reads), and where the CPU goes: the bench
 * pipeline of tools/bench/augmentation.ts (scale jitter [256, 512], random 224 crop, flip, PCA
 * colour) over `--images` of its JPEGs, `--passes` times each measurement.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/augmentation_pool.ts [--images 300]
 *     [--passes 2] [--workers cores] [--inflight 2×workers,4×workers] [--repeat 3]
 *
 * Settings: "in-thread" (one image at a time on this thread: the bench's "1 worker"), then the
 * pool with each `--inflight` count of images in flight. They alternate `--repeat` times; the
 * best and median img/s are printed, with the CPU per image (ms) of the whole process and of
 * this (main) thread alone, and of each busy thread, read from /proc (Linux), at the median run:
 * what the pool adds per image and where — `2 × in-thread CPU / pool CPU` bounds what two cores
 * can give.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerPool, type Pipeline } from '@rectifier/augmentation';
import { createRng } from '@rectifier/data';
import { benchPipeline, makeBenchJpegs } from './benchJpegs';

const arg = (name: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : undefined;
};
const N = Number(arg('images') ?? 300);
const PASSES = Number(arg('passes') ?? 2);
const WORKERS = Number(arg('workers') ?? cpus().length);
const INFLIGHT = (arg('inflight') ?? `${2 * WORKERS},${4 * WORKERS}`).split(',').map(Number);
const REPEAT = Number(arg('repeat') ?? 3);

const pipeline = benchPipeline();

/** CPU seconds (user + system) of each thread of this process, by thread id, from /proc. */
function threadCpu(): Map<number, { name: string; sec: number }> {
  const threads = new Map<number, { name: string; sec: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // the fields after the parenthesised name: utime and stime are the 12th and 13th
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    threads.set(Number(tid), { name, sec: (Number(f[11]) + Number(f[12])) / 100 }); // 100 Hz ticks
  }
  return threads;
}

interface Run {
  rate: number;
  cpuMs: number;
  mainMs: number;
  /** ms/image of every thread that used ≥ 0.02, busiest first: "name:ms" */
  threads: string;
}

async function run(p: Pipeline, files: Buffer[], inFlight: number, epoch: number): Promise<Run> {
  const total = files.length * PASSES;
  const pass = async () => {
    let next = 0;
    const loop = async () => {
      while (next < total) {
        const i = next++;
        await p.apply(files[i % files.length], createRng(epoch, i));
      }
    };
    await Promise.all(Array.from({ length: inFlight }, loop));
  };
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpu();
  const t0 = performance.now();
  await pass();
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const perThread = [...threadCpu()]
    .map(([tid, t]) => ({
      tid,
      name: t.name,
      ms: ((t.sec - (threads0.get(tid)?.sec ?? 0)) * 1000) / total,
    }))
    .sort((a, b) => b.ms - a.ms);
  return {
    rate: total / sec,
    cpuMs: (cpu.user + cpu.system) / 1000 / total,
    mainMs: perThread.find((t) => t.tid === process.pid)?.ms ?? Number.NaN,
    threads: perThread
      .filter((t) => t.ms >= 0.02)
      .map((t) => `${t.tid === process.pid ? 'main' : t.name}:${t.ms.toFixed(2)}`)
      .join(' '),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'rectifier-bench-pool-'));
try {
  const files = (await makeBenchJpegs(dir, N)).map((f) => readFileSync(f));
  const pool = createWorkerPool({ workers: WORKERS });
  const settings: [string, () => Promise<Run>][] = [
    ['in-thread', () => run(pipeline, files, 1, 1)],
    ...INFLIGHT.map(
      (k) =>
        [
          `pool ${WORKERS}w, ${k} in flight`,
          () => run(pipeline.withWorkers(pool), files, k, 1),
        ] as [string, () => Promise<Run>],
    ),
  ];
  // warm-up: V8 optimises the JS on this thread and in every worker
  for (const [, f] of settings) await f();
  const runs: Run[][] = settings.map(() => []);
  for (let r = 0; r < REPEAT; r++) {
    for (let s = 0; s < settings.length; s++) runs[s].push(await settings[s][1]());
  }
  await pool.close();
  console.log(
    `${files.length} JPEGs × ${PASSES} passes in memory; ${cpus().length} cores; ${REPEAT} alternating runs`,
  );
  console.log('setting                 | img/s best (median) | CPU ms/img: process, main thread');
  const base = [...runs[0]].sort((a, b) => a.rate - b.rate)[Math.floor(REPEAT / 2)];
  runs.forEach((rs, s) => {
    const sorted = [...rs].sort((a, b) => a.rate - b.rate);
    const med = sorted[Math.floor(REPEAT / 2)];
    const best = sorted[REPEAT - 1];
    console.log(
      `${settings[s][0].padEnd(23)} | ${best.rate.toFixed(0).padStart(5)} (${med.rate.toFixed(0)}) ×${(med.rate / base.rate).toFixed(2)} | ${med.cpuMs.toFixed(2)}, ${med.mainMs.toFixed(2)} | runs ${rs.map((x) => x.rate.toFixed(0)).join(' ')} | threads ${med.threads}`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
