import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInChromium, chromiumTests } from '@rectifier/test-utils';
import { expect, it } from 'vitest';
import type { RunConfig } from './config';
import { experiments } from './presets';
import {
  chartFileNames,
  claimVerdicts,
  comparisonRows,
  formatComparison,
  lossCurves,
  meanStd,
} from './report';
import { groupRuns } from './runGroups';
import { cli, tinyRunFlags, writeImageTree } from './testing/cli';
import { record, result } from './testing/records';

const root = mkdtempSync(join(tmpdir(), 'rectifier-report-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');
const payload = '<img src=x onerror=alert(1)>';

it('chart files: named from their titles, lower-case words joined by dashes, unique', () => {
  expect(
    chartFileNames([
      'Convergence per step (loss)',
      'Learned PReLU slopes per layer (Table 1)',
      'Convergence per step (loss)',
      '—',
    ]),
  ).toEqual([
    'convergence-per-step-loss.svg',
    'learned-prelu-slopes-per-layer-table-1.svg',
    'convergence-per-step-loss-2.svg',
    'chart.svg',
  ]);
});

it('meanStd: sample standard deviation, 0 for one value', () => {
  expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
  expect(meanStd([0.5])).toEqual({ mean: 0.5, std: 0, n: 1 });
});

it('lossCurves: window means, then mean and range over seeds, per variant', () => {
  const pts = lossCurves(
    [
      { variant: 'a', losses: [4, 2, 3, 1] },
      { variant: 'a', losses: [2, 2, 1, 1, 9] }, // the extra step is beyond the shorter seed
      { variant: 'b', losses: [1, 1, 1, 1] },
    ],
    2,
  );
  expect(pts).toEqual([
    { run: 'a', step: 2, loss: 2.5, lo: 2, hi: 3 },
    { run: 'a', step: 4, loss: 1.5, lo: 1, hi: 2 },
    { run: 'b', step: 2, loss: 1, lo: 1, hi: 1 },
    { run: 'b', step: 4, loss: 1, lo: 1, hi: 1 },
  ]);
});

const table4Run = (variant: string, seed: number, errors: number[], more: object = {}) =>
  record(
    {
      experiment: 'table4',
      variant,
      model: 'A',
      activation: variant === 'A-relu' ? 'relu' : 'prelu',
      scales: [96, 128, 160],
      seed,
      ...more,
    },
    [
      ...errors.slice(0, 3).map((e, i) => result(`dense(${i})`, e, e / 3)),
      result('multi-scale', errors[3], errors[3] / 3),
    ],
  );

it('rows: dense rows name their scale, every row its seeds and test images, one seed "± —"', () => {
  const { groups } = groupRuns([
    table4Run('A-relu', 0, [0.3, 0.28, 0.29, 0.27]),
    table4Run('A-prelu', 0, [0.29, 0.27, 0.28, 0.26]),
    table4Run('A-prelu', 1, [0.31, 0.29, 0.3, 0.28]),
  ]);
  const rows = comparisonRows(groups, experiments.table4);
  expect(rows.map((r) => [r.label, r.protocol, r.seeds, r.images])).toEqual([
    ['A ReLU, s = 256', 'dense, s = 96', 1, 500],
    ['A ReLU, s = 384', 'dense, s = 128', 1, 500],
    ['A ReLU, s = 480', 'dense, s = 160', 1, 500],
    ['A ReLU, multi-scale', 'multi-scale (s = 96, 128, 160)', 1, 500],
    ['A PReLU, s = 256', 'dense, s = 96', 2, 500],
    ['A PReLU, s = 384', 'dense, s = 128', 2, 500],
    ['A PReLU, s = 480', 'dense, s = 160', 2, 500],
    ['A PReLU, multi-scale', 'multi-scale (s = 96, 128, 160)', 2, 500],
  ]);
  const text = formatComparison(rows);
  expect(text).toMatch(
    /A ReLU, s = 256 +dense, s = 96 +26\.25 +30\.00 ± — +8\.25 +10\.00 ± — +1 +500/,
  );
  expect(text).toMatch(/A PReLU, s = 256 +dense, s = 96 +25\.81 +30\.00 ± 1\.41 /);
  expect(text).not.toMatch(/± 0\.00/);
});

it('rows: runs on other data or results on other test images are separate rows, never a mean', () => {
  const subset = table4Run('A-relu', 0, [0.5, 0.5, 0.5, 0.5], { trainLimit: 64 });
  const full = table4Run('A-relu', 1, [0.3, 0.3, 0.3, 0.3]);
  const { groups } = groupRuns([subset, full]);
  const dense0 = comparisonRows(groups, experiments.table4).filter(
    (r) => r.key === 'dense(0)' && r.variant === 'A-relu',
  );
  expect(dense0.map((r) => [r.label, r.top1?.mean, r.seeds])).toEqual([
    ['A ReLU, s = 256 [trainLimit 64]', 0.5, 1],
    ['A ReLU, s = 256 [trainLimit null]', 0.3, 1],
  ]);
  const fewer = record({ experiment: 'table2', variant: 'relu', seed: 1 }, [
    result('ten-view', 0.4, 0.2, 100),
  ]);
  const more = record({ experiment: 'table2', variant: 'relu', seed: 0 }, [
    result('ten-view', 0.3, 0.1, 500),
  ]);
  const relu = comparisonRows(groupRuns([more, fewer]).groups, experiments.table2).filter(
    (r) => r.variant === 'relu',
  );
  expect(relu.map((r) => [r.label, r.top1?.mean, r.seeds, r.images])).toEqual([
    ['ReLU (500 test images)', 0.3, 1, 500],
    ['ReLU (100 test images)', 0.4, 1, 100],
  ]);
});

/** Table 2 runs: per variant, one ten-view top-1 error per seed. */
function table2Runs(errors: Record<string, number[]>) {
  return Object.entries(errors).flatMap(([variant, es]) =>
    es.map((e, seed) =>
      record(
        { experiment: 'table2', variant, activation: variant as RunConfig['activation'], seed },
        [result('ten-view', e, e / 3)],
      ),
    ),
  );
}

it("verdicts: Table 2's claims decided on per-seed errors with known outcomes", () => {
  const runs = table2Runs({
    relu: [0.338, 0.342, 0.336, 0.34],
    lrelu: [0.3385, 0.3415, 0.3365, 0.3395],
    'prelu-shared': [0.318, 0.321, 0.317, 0.322],
    prelu: [0.34, 0.345, 0.342, 0.339],
  });
  const v = claimVerdicts('table2', groupRuns(runs).groups, []);
  expect(v.map((c) => [c.claim, c.verdict])).toEqual([
    ['PReLU (channel-wise) below ReLU (top-1, 10-view)', 'undecided'],
    ['LReLU (a = 0.25) ≈ ReLU (top-1, 10-view)', 'reproduced'],
    ['channel-wise ≤ channel-shared PReLU (top-1, 10-view)', 'not reproduced'],
  ]);
  expect(v[2].details[0]).toMatch(
    /^not reproduced: prelu ten-view top1 ≤ prelu-shared ten-view top1: difference 2\.20 points/,
  );
});

it('verdicts: one seed leaves every claim undecided, saying why', () => {
  const runs = table2Runs({ relu: [0.34], lrelu: [0.3], 'prelu-shared': [0.32], prelu: [0.2] });
  const v = claimVerdicts('table2', groupRuns(runs).groups, []);
  expect(v.map((c) => c.verdict)).toEqual(['undecided', 'undecided', 'undecided']);
  expect(v[0].details[0]).toMatch(/1 seed, no spread to test against/);
});

it('verdicts: a claim over runs that do not pool, or lack a result, is undecided with the reason', () => {
  const runs = [
    ...table2Runs({ relu: [0.338, 0.342, 0.336], prelu: [0.318, 0.321, 0.317] }),
    record({ experiment: 'table2', variant: 'prelu', seed: 3, trainLimit: 64 }, []),
  ];
  const v = claimVerdicts('table2', groupRuns(runs).groups, []);
  expect(v[0].verdict).toBe('undecided');
  expect(v[0].details[0]).toMatch(/the runs of prelu are 2 different configs/);
  expect(v[1].details[0]).toMatch(/no runs of lrelu/);
});

it("verdicts: Table 4's claims read the dense scales in order; Figure 3's compare with chance", () => {
  const runs = [0, 1, 2].flatMap((s) => [
    table4Run(
      'A-relu',
      s,
      [0.3, 0.28, 0.285, 0.27].map((e) => e + s * 0.002),
    ),
    table4Run(
      'A-prelu',
      s,
      [0.29, 0.27, 0.275, 0.26].map((e) => e + s * 0.002),
    ),
  ]);
  const v = claimVerdicts('table4', groupRuns(runs).groups, []);
  expect(v.map((c) => c.verdict)).toEqual(['reproduced', 'reproduced', 'reproduced']);
  expect(v[0].details).toHaveLength(4); // s = 128 and 160 below 96, for each variant
  expect(v[0].details[0]).toMatch(
    /^reproduced: A-relu dense s = 128 top1 < A-relu dense s = 96 top1: /,
  );

  const fig3 = ['B-msra', 'B-xavier', '30-msra', '30-xavier'].flatMap((variant) =>
    [0, 1, 2].map((seed) =>
      record(
        {
          experiment: 'figure3',
          variant,
          model: variant.startsWith('B') ? 'B' : 'deep',
          init: variant.endsWith('msra') ? 'msra-fan-in' : 'xavier',
          seed,
        },
        [result('center', variant === '30-xavier' ? 0.9 : 0.4 + seed / 100, 0.5)],
        {
          epochs: [
            {
              epoch: 1,
              trainTop1Error: 0.5,
              valTop1Error: variant === 'B-msra' ? 0.5 + seed / 100 : 0.7 + seed / 100,
            },
          ],
        },
      ),
    ),
  );
  const f = claimVerdicts('figure3', groupRuns(fig3).groups, []);
  expect(f.map((c) => c.verdict)).toEqual(['reproduced', 'reproduced', 'reproduced']);
  expect(f[0].details[0]).toMatch(/30-xavier center top1 ≈ chance \(1 − 1\/10\)/);
});

it("verdicts: Table 1's slope claims read conv1 and the deeper conv layers; Table 7 its best member", () => {
  const layers = (conv1: number, deeper: number[]) => [
    { layer: 'conv1_act', mean: conv1 },
    ...deeper.map((mean, i) => ({ layer: `conv${i + 2}_act`, mean })),
    { layer: 'fc1_act', mean: 0.9 }, // fc layers are not conv layers: left out
  ];
  const t1 = ['prelu-shared', 'prelu'].flatMap((variant) =>
    [0, 1, 2].map((seed) =>
      record(
        { experiment: 'table1', variant, activation: variant as RunConfig['activation'], seed },
        [],
        {
          slopes: layers(
            0.6 + seed / 100,
            [0.3, 0.28, 0.2, 0.18].map((m) => m + seed / 200),
          ),
        },
      ),
    ),
  );
  const v1 = claimVerdicts('table1', groupRuns(t1).groups, []);
  expect(v1.map((c) => c.verdict)).toEqual(['reproduced', 'reproduced']);
  expect(v1[0].details).toHaveLength(2); // shared and channel-wise

  const member = (variant: string, top5: number, seed: number) =>
    record({ experiment: 'table7', variant, model: 'A', seed }, [
      result('multi-scale', 0.3, top5 + seed / 1000),
    ]);
  const t7 = [0, 1, 2].flatMap((s) => [member('A-relu', 0.09, s), member('A-prelu', 0.08, s)]);
  const ensemble = [0, 1, 2].map((s) => result('multi-scale', 0.28, 0.07 + s / 1000));
  const v7 = claimVerdicts('table7', groupRuns(t7).groups, ensemble);
  expect(v7[0].verdict).toBe('reproduced');
  expect(v7[0].details[0]).toMatch(/ensemble multi-scale top5 < A-prelu multi-scale top5/);
  expect(claimVerdicts('table7', groupRuns(t7).groups, [])[0].details[0]).toMatch(
    /no ensemble multi-scale result/,
  );
});

it('a run shorter than an epoch is charted per step; report --json carries rows, verdicts, warnings', async () => {
  const runDir = join(root, 'short');
  const train = await cli(
    'train',
    '--preset',
    'table1/prelu',
    '--max-steps',
    '3',
    ...tinyRunFlags,
    '--run-dir',
    runDir,
    '--json',
  );
  expect(train.code, train.err).toBe(0);
  expect((await cli('eval', runDir, '--protocol', 'center', '--json')).code).toBe(0);
  // The same run given twice: one seed, counted once.
  const r = await cli('report', runDir, runDir, '--out', join(root, 'short-report'), '--json');
  expect(r.code, r.err).toBe(0);
  expect(r.err).toMatch(/warning: .* repeats .* \(same config, seed 0\): counted once/);
  const json = JSON.parse(r.out);
  expect(json.charts[0]).toMatch(/^Convergence per step/);
  expect(json.rows).toMatchObject([{ variant: 'prelu', seeds: 1, images: 16 }]);
  expect(json.verdicts.map((v: { verdict: string }) => v.verdict)).toEqual([
    'undecided',
    'undecided',
  ]);
});

// Needs Debian's Chromium (optional on a developer's machine; CI requires it).
const inChromium = chromiumTests('report.html check in headless Chromium (report.test.ts)');

// A class folder named like an HTML payload must show as text and run nothing.
it.runIf(inChromium)(
  'report.html renders in Chromium: charts drawn, no console error, the payload shown as text',
  async () => {
    const data = join(root, 'tree');
    await writeImageTree(data, { train: 4, test: 2 }, ['coat', payload]);
    const runs = [];
    for (const activation of ['relu', 'prelu']) {
      const runDir = join(root, activation);
      const common = [
        '--data',
        data,
        '--batch-size',
        '4',
        '--epochs',
        '2',
        '--backend',
        'wasm',
        '--run-dir',
        runDir,
        '--json',
      ];
      const r = await cli('train', '--preset', `figure2/${activation}`, ...common);
      expect(r.code, r.err).toBe(0);
      expect((await cli('eval', runDir, '--protocol', 'center', '--json')).code).toBe(0);
      runs.push(runDir);
    }
    const out = join(root, 'report');
    const r = await cli('report', ...runs, '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain(payload);
    expect(html).toContain('&lt;img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script/i);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).not.toContain('<img');
    // Every chart of report.html is also an SVG file beside report.md, which shows it.
    const images = [...md.matchAll(/^!\[[^\]]+\]\(([a-z0-9-]+\.svg)\)$/gm)].map((m) => m[1]);
    expect(images.length).toBe((html.match(/<figure/g) ?? []).length);
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const file of images) {
      const svg = readFileSync(join(out, file), 'utf8');
      expect(svg.startsWith('<svg'), file).toBe(true);
      expect(html).toContain(svg);
    }
    // Table 1 as numbers: one row per PReLU layer, ReLU without slopes.
    expect(md).toMatch(/## Learned PReLU slopes per layer \(Table 1\)/);
    expect(md).toMatch(
      /\| layer \| prelu \(1 seed\) \|\n\| --- \| --- \|\n\| [^|]+ \| 0\.\d{3} ± — \|/,
    );
    expect(md).toMatch(/trainer \d+\.\d+\.\d+/);
    expect(md).not.toMatch(/trainer 0\.0\.0/);
    expect(html).toContain('Learned PReLU slopes per layer (Table 1)');

    const seen = await checkInChromium(join(out, 'report.html'), join(root, 'report.png'));
    expect(seen.consoleErrors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    // Convergence and per-layer slopes (the PReLU run has slopes; ReLU none).
    expect(seen.charts.length).toBeGreaterThanOrEqual(3); // + training loss per step
    for (const c of seen.charts) {
      expect(c.elements).toBeGreaterThan(10);
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(100);
    }
    expect(seen.text).toContain(payload);
  },
);
