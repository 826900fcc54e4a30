/**
 * Copies what `rectifier reproduce` wrote for some experiments into docs/results/<name>/: each
 * report.md (as <experiment>.md) with its chart SVGs (as <experiment>-<chart>.svg, links
 * rewritten), and per-seed.json — every run of the experiments' run directories with its
 * settings, steps, weights hash, wall time and stored test results. Nothing is recomputed: the
 * numbers are the app's own.
 *
 *   npx tsx --conditions=@rectifier/source tools/results/collect.ts --runs ~/rectifier-runs \
 *     --out docs/results/table2-fashion-mnist [--scale cpu] table2 table1 figure2
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { experiments, readRun, resultsForReport, runsBase } from '@rectifier/reproduce';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string' },
    out: { type: 'string' },
    scale: { type: 'string', default: 'cpu' },
  },
});
if (!values.runs || !values.out || positionals.length === 0) {
  throw new Error('usage: collect.ts --runs <reproduce --out> --out <docs dir> <experiment>...');
}
const scale = values.scale as 'cpu' | 'paper';
mkdirSync(values.out, { recursive: true });

const runDirs = new Set<string>();
for (const name of positionals) {
  const e = experiments[name];
  if (e === undefined) throw new Error(`no experiment "${name}"`);
  const reportDir = join(values.runs, `${name}-${scale}`);
  const report = join(reportDir, 'report.md');
  if (!existsSync(report)) {
    throw new Error(`${report} is missing: run \`rectifier reproduce ${name}\` first`);
  }
  let md = readFileSync(report, 'utf8');
  for (const file of readdirSync(reportDir).filter((f) => f.endsWith('.svg'))) {
    copyFileSync(join(reportDir, file), join(values.out, `${name}-${file}`));
    md = md.replaceAll(`](${file})`, `](${name}-${file})`);
  }
  writeFileSync(join(values.out, `${name}.md`), md);
  const base = runsBase(e, scale, values.runs);
  for (const v of e.variants) {
    const variantDir = join(base, v.name);
    if (!existsSync(variantDir)) continue;
    for (const seed of readdirSync(variantDir).filter((d) => /^seed-\d+$/.test(d))) {
      runDirs.add(join(variantDir, seed));
    }
  }
}

const runs = [...runDirs].sort().map((dir) => {
  const run = readRun(dir);
  const c = run.config;
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  const tests = resultsForReport(dir, run, ['center', 'ten-view', 'dense', 'multi-scale']).results;
  return {
    experiment: c.experiment,
    variant: c.variant,
    seed: c.seed,
    steps: summary.steps,
    epochs: c.epochs,
    lr: c.lr,
    schedule: c.schedule,
    inputScale: c.inputScale,
    weightsSha256: summary.weightsSha256,
    wallSeconds: Math.round(summary.wallTimeMs / 100) / 10,
    tests: tests.map((r) => ({
      test: r.key,
      top1Error: r.top1Error,
      top5Error: r.top5Error,
      images: r.images,
    })),
  };
});
writeFileSync(join(values.out, 'per-seed.json'), `${JSON.stringify({ scale, runs }, null, 2)}\n`);
console.log(`${values.out}: ${positionals.length} report(s), ${runs.length} run(s)`);
