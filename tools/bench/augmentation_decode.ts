/**
 * Benchmark: the JPEG decode of @rectifier/augmentation's pipelines, sharp (`rgbPipeline(bytes)
 * .extract(region).raw()`) vs the libjpeg-turbo region decoder (`decodeJpegRegion`), on the
 * JPEGs of tools/bench/augmentation.ts; then that bench's one-worker pipeline (scale jitter
 * [256, 512], random 224 crop, flip, PCA colour) with the addon and without it (RECTIFIER_JPEG=0:
 * sharp decodes, the resampler runs in JS), each in a child process, alternating.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/augmentation_decode.ts [--images 200]
 *
 * One image at a time, `sharp.concurrency(1)`, libvips' cache off. Decode regions: the source
 * window a random 224 crop of an enlargement to shorter side 400 reads (the JS-resampled path),
 * and the whole image. The two sides alternate 5 times; best and median are printed (the
 * machine is shared).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, rgbPipeline, sniffSize } from '@rectifier/data';
import sharp from 'sharp';
import { loadJpegAddon } from '../../packages/augmentation/src/jpegAddon';
import { decodeJpegRegion } from '../../packages/augmentation/src/jpegRegion';
import { benchPipeline, makeBenchJpegs } from './benchJpegs';

const arg = (name: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : undefined;
};
const N = Number(arg('images') ?? 200);
const REPEAT = 5;
sharp.cache(false);
sharp.concurrency(1);

const pipeline = benchPipeline();

/** Child process: the pipeline over the JPEGs in `dir`, once to warm up, then timed (ms/image). */
async function pipelineChild(dir: string): Promise<void> {
  const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)));
  const pass = async () => {
    const t0 = performance.now();
    for (let k = 0; k < files.length; k++) await pipeline.apply(files[k], createRng(1, 0, k));
    return (performance.now() - t0) / files.length;
  };
  await pass();
  console.log(JSON.stringify({ ms: await pass() }));
}

const child = arg('pipeline-child');
if (child) {
  await pipelineChild(child);
  process.exit(0);
}
const addon = loadJpegAddon();
if (addon instanceof Error) throw addon;

type Region = { left: number; top: number; width: number; height: number };
const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms/image of `f` over all images, alternated with `g` REPEAT times after one warm-up each. */
async function alternate(
  files: Buffer[],
  f: (b: Buffer, k: number) => unknown,
  g: (b: Buffer, k: number) => unknown,
): Promise<[number[], number[]]> {
  const time = async (h: typeof f) => {
    const t0 = performance.now();
    for (let k = 0; k < files.length; k++) await h(files[k], k);
    return (performance.now() - t0) / files.length;
  };
  await time(f);
  await time(g);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    a.push(await time(f));
    b.push(await time(g));
  }
  return [a, b];
}

function report(name: string, [a, b]: [number[], number[]], left: string, right: string): void {
  const fmt = (xs: number[]) => `${best(xs).toFixed(2)} (${median(xs).toFixed(2)})`;
  console.log(
    `${name.padEnd(24)} | ${left} ${fmt(a)} ms | ${right} ${fmt(b)} ms | ${(best(a) / best(b)).toFixed(2)}x (${(median(a) / median(b)).toFixed(2)}x)`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'rectifier-bench-decode-'));
try {
  const files = (await makeBenchJpegs(dir, N)).map((p) => readFileSync(p));
  console.log(`${files.length} JPEGs (~500x375, q90); ms/image best (median) of ${REPEAT}`);
  const windows: Region[] = [];
  const wholes: Region[] = [];
  files.forEach((b, k) => {
    const { width, height } = sniffSize(b) as { width: number; height: number };
    const rng = createRng(7, 0, k);
    const s = Math.ceil((224 * Math.min(width, height)) / 400) + 2;
    windows.push({ left: rng.int(0, width - s), top: rng.int(0, height - s), width: s, height: s });
    wholes.push({ left: 0, top: 0, width, height });
  });
  for (const [name, regions] of [
    ['decode, 224 window', windows],
    ['decode, whole image', wholes],
  ] as const) {
    const viaSharp = (b: Buffer, k: number) => rgbPipeline(b).extract(regions[k]).raw().toBuffer();
    const viaAddon = (b: Buffer, k: number) => {
      if (!decodeJpegRegion(b, regions[k])) throw new Error('the fast path refused a bench JPEG');
    };
    report(name, await alternate(files, viaSharp, viaAddon), 'sharp', 'addon');
  }

  // The pipeline with the addon and without (a fresh process each: the addon loads once).
  const runChild = (jpeg: string | undefined) => {
    const env = { ...process.env, RECTIFIER_JPEG: jpeg };
    if (jpeg === undefined) delete env.RECTIFIER_JPEG;
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, process.argv[1], '--pipeline-child', dir],
      { env },
    );
    return JSON.parse(out.toString().trim().split('\n').pop() as string).ms as number;
  };
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    off.push(runChild('0'));
    on.push(runChild(undefined));
  }
  report('pipeline, 1 worker', [off, on], 'no addon', 'addon');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
