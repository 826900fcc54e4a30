import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readRun } from './run';
import { resultsForReport } from './storedResults';
import { cli, writeImageTree } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-paper-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');

// `reproduce table4 --scale paper` starts on a tiny ILSVRC tree: the paper's 224 crops from
// shorter sides jittered in [256, 512], its schedule and dense tests at 256, 384 and 480 all
// run, with AlexNet's colour altering. Only the width (1/8) and fc units (64) are overridden: model A's 155 M parameters took
// 4.3 GB and over 8 minutes for its first step on this 2-core machine.
it('reproduce table4 --scale paper runs its first step and its dense tests on an ILSVRC tree', async () => {
  const data = join(root, 'ilsvrc');
  await writeImageTree(data, { train: 2, val: 1 }, ['n01440764', 'n01443537']);
  const out = join(root, 'runs');
  // The same command twice: the second run must reuse the first's results.
  const args = [
    'reproduce',
    'table4',
    '--scale',
    'paper',
    '--data',
    data,
    '--max-steps',
    '1',
    '--batch-size',
    '2',
    '--width',
    '0.125',
    '--fc-units',
    '64',
    '--backend',
    'wasm',
    '--out',
    out,
    '--json',
  ];
  const r = await cli(...args);
  expect(r.code, r.err).toBe(0);
  const result = JSON.parse(r.out);
  expect(result.runs).toHaveLength(2);
  const run = result.runs[0];
  // Table 4 tests Table 7's nets (runsOf): they are trained, once, in table7's directories.
  expect(run).toBe(join(out, 'table7-paper', 'A-relu', 'seed-0'));
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).run.meta.rectifier;
  expect(config).toMatchObject({
    crop: 224,
    scaleJitter: [256, 512],
    pcaLighting: 0.1,
    scales: [256, 384, 480],
    schedule: { kind: 'step', at: [20, 65] },
  });
  const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
  expect(summary.steps).toBe(1);
  const stored = resultsForReport(run, readRun(run), ['dense', 'multi-scale']).results;
  expect(stored.map((e) => e.key)).toEqual(['dense(0)', 'dense(1)', 'dense(2)', 'multi-scale']);
  for (const e of stored) expect(e.images).toBe(2);
  expect(stored[2].settings.scale).toBe(480);
  expect(existsSync(result.report.html)).toBe(true);

  // Run again: finished runs and their tests are reused, nothing retrained.
  const again = await cli(...args);
  expect(again.code, again.err).toBe(0);
  expect(again.err).toMatch(/A-relu seed 0: finished earlier/);
  expect(again.err).toMatch(/A-prelu seed 0: tested earlier \(multi-scale\)/);
  expect(again.err).not.toMatch(/training/);
});
