import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInChromium, chromiumTests } from '@rectifier/test-utils';
import { expect, it } from 'vitest';
import { lossCurves, meanStd } from './report';
import { cli, writeImageTree } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-report-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');
const payload = '<img src=x onerror=alert(1)>';

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
    // Table 1 as numbers: one row per PReLU layer, ReLU without slopes.
    expect(md).toMatch(/## Learned PReLU slopes per layer \(Table 1\)/);
    expect(md).toMatch(/\| layer \| prelu \|\n\| --- \| --- \|\n\| [^|]+ \| 0\.\d{3} ± 0\.000 \|/);
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
