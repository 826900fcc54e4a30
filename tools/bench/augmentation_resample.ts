/**
 * Benchmark: the C window resampler (`resampleWindow` of @rectifier/augmentation's addon,
 * native/src/resample.cc) alone, on the exact calls the bench pipeline makes (scale jitter
 * [256, 512], random 224 crop, flip, PCA colour on the JPEGs of tools/bench/augmentation.ts):
 * the pipeline runs once with the addon's `resampleWindow` wrapped to record each call's
 * arguments (decoded window, coefficients, float output + shift), then only those calls are
 * timed, so neither the decode nor the coefficients are counted.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/augmentation_resample.ts [--images 300]
 *     [--baseline path/to/other/rectifier_jpeg.node]
 *
 * The peer in the same run is `--baseline`, another build of the addon (e.g. a copy of the
 * .node file made before a change): both must give the same bits on every call, then they
 * alternate 5 times and ms/image best (median) is printed (the machine is shared). Without it,
 * only this build is timed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng } from '@rectifier/data';
import { type JpegAddon, loadJpegAddon } from '../../packages/augmentation/src/jpegAddon';
import { benchPipeline, makeBenchJpegs } from './benchJpegs';

const arg = (name: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : undefined;
};
const N = Number(arg('images') ?? 300);
const REPEAT = 5;

const pipeline = benchPipeline();

type Call = Parameters<JpegAddon['resampleWindow']>;

const addon = loadJpegAddon();
if (addon instanceof Error) throw addon;
const baselinePath = arg('baseline');
const baseline = baselinePath
  ? (createRequire(import.meta.url)(resolve(baselinePath)) as JpegAddon)
  : undefined;

const dir = mkdtempSync(join(tmpdir(), 'rectifier-bench-resample-'));
try {
  const files = (await makeBenchJpegs(dir, N)).map((p) => readFileSync(p));
  const calls: Call[] = [];
  const original = addon.resampleWindow;
  addon.resampleWindow = (...args: Call) => {
    // the decoded window is the decoder's fresh buffer: keep it; the output is reused
    calls.push([...args]);
    return original(...args);
  };
  for (let k = 0; k < files.length; k++) await pipeline.apply(files[k], createRng(1, 0, k));
  addon.resampleWindow = original;
  if (calls.length !== files.length) {
    throw new Error(`expected one resampleWindow call per image, got ${calls.length}`);
  }

  const sides: [string, (c: Call) => void][] = [['this build', (c) => addon.resampleWindow(...c)]];
  if (baseline) sides.push(['baseline', (c) => baseline.resampleWindow(...c)]);
  // Both sides must give the same bits before their times mean anything.
  for (const c of baseline ? calls : []) {
    const out = c[15];
    sides[0][1](c);
    const a = new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
    sides[1][1](c);
    const b = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    if (Buffer.compare(a, b) !== 0) throw new Error(`${sides[1][0]} and this build disagree`);
  }
  const time = (f: (c: Call) => void) => {
    const t0 = performance.now();
    for (const c of calls) f(c);
    return (performance.now() - t0) / calls.length;
  };
  const ms: number[][] = sides.map(() => []);
  for (const [, f] of sides) time(f); // warm-up
  for (let r = 0; r < REPEAT; r++) {
    for (let s = 0; s < sides.length; s++) ms[s].push(time(sides[s][1]));
  }
  const best = (xs: number[]) => Math.min(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (xs: number[]) => `${best(xs).toFixed(3)} (${median(xs).toFixed(3)})`;
  console.log(
    `${calls.length} resampleWindow calls (224×224 RGB float out); ms/image best (median) of ${REPEAT}`,
  );
  if (!baseline) console.log(`this build ${fmt(ms[0])}`);
  else {
    console.log(
      `this build ${fmt(ms[0])} | baseline ${fmt(ms[1])} | baseline ÷ this build ${(best(ms[1]) / best(ms[0])).toFixed(2)}x (${(median(ms[1]) / median(ms[0])).toFixed(2)}x)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
