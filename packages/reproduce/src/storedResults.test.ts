import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type EvalResult, evalResultSchema } from './evaluate';
import { type ResultIdentity, resultFileName } from './resultIdentity';
import { readRun } from './run';
import { ResultsNotSavedError, resultsForReport, saveEvalResults } from './storedResults';
import { cli, trainTiny } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-stored-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');
const results = z.array(evalResultSchema);

/** `rectifier eval … --json`, checked to exit 0. */
async function evalJson(...args: string[]): Promise<EvalResult[]> {
  const r = await cli('eval', ...args, '--json');
  expect(r.code, r.err).toBe(0);
  return results.parse(JSON.parse(r.out));
}

describe('stored test results are keyed by what determines them', () => {
  // One step of a quarter-width small net (no experiment: a report shows every protocol) on 64
  // images, tested on its own 16 validation images.
  const runDir = join(root, 'run');
  beforeAll(async () => {
    const r = await trainTiny(
      runDir,
      '--width',
      '0.25',
      '--fc-units',
      '64',
      '--max-steps',
      '1',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
  });

  it('eval --val-limit 3 does not replace the full-set result a report shows', async () => {
    const [full] = await evalJson(runDir, '--protocol', 'center');
    expect(full.images).toBe(16);
    const [three] = await evalJson(runDir, '--protocol', 'center', '--val-limit', '3');
    expect(three.images).toBe(3);
    expect(readdirSync(join(runDir, 'eval'))).toHaveLength(2);

    const picked = resultsForReport(runDir, readRun(runDir)).results;
    expect(picked.map((r) => [r.key, r.images, r.top1Error])).toEqual([
      ['center', 16, full.top1Error],
    ]);
    const out = join(root, 'report');
    const r = await cli('report', runDir, '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const row = JSON.parse(r.out).rows.find((x: { protocol: string }) => x.protocol === 'center');
    expect(row.top1.mean).toBe(full.top1Error);
  });

  it('dense at another scale (--scales 160) gets its own file, beside the run-scale result the report uses', async () => {
    const own = readRun(runDir).config.scales;
    const [first] = await evalJson(runDir, '--protocol', 'dense');
    expect(first.identity?.scales).toEqual([own[0]]);
    const [hundred] = await evalJson(runDir, '--protocol', 'dense', '--scales', '160');
    expect(hundred.key).toBe('dense(0)'); // the first scale asked for …
    expect(hundred.identity?.scales).toEqual([160]); // … but stored under its own identity
    const files = readdirSync(join(runDir, 'eval'));
    expect(files.filter((f) => f.startsWith(`dense-${own[0]}.`))).toHaveLength(1);
    expect(files.filter((f) => f.startsWith('dense-160.'))).toHaveLength(1);
    const reported = resultsForReport(runDir, readRun(runDir)).results;
    const dense0 = reported.find((r) => r.key === 'dense(0)');
    expect(dense0?.identity?.scales).toEqual([own[0]]);
    expect(dense0?.top1Error).toBe(first.top1Error);
    if (!own.includes(160))
      expect(reported.some((r) => r.identity?.scales?.[0] === 160)).toBe(false);
  });

  it('a result of another checkpoint, or a pre-keying file, is not reported (the latter with a note)', async () => {
    const copy = join(root, 'copy');
    cpSync(runDir, copy, { recursive: true });
    const [center] = await evalJson(copy, '--protocol', 'center');
    const stale = { ...center, identity: undefined, images: 3, top1Error: 0.99 };
    writeFileSync(join(copy, 'eval', 'center.json'), JSON.stringify(stale));
    const other = {
      ...center,
      top1Error: 0.98,
      identity: {
        ...center.identity,
        checkpoints: [{ ...center.identity?.checkpoints[0], step: 0 }],
      },
    };
    writeFileSync(join(copy, 'eval', 'center.step0.json'), JSON.stringify(other));
    const { results: picked, notes } = resultsForReport(copy, readRun(copy));
    expect(picked.filter((r) => r.key === 'center').map((r) => r.top1Error)).toEqual([
      center.top1Error,
    ]);
    expect(notes.join('\n')).toMatch(/center\.json: stored before results were keyed/);

    // A test of other contents at the same path (the images changed since): the one of the
    // data as it is now is reported.
    const before = {
      ...center,
      top1Error: 0.97,
      identity: { ...center.identity, data: { path: 'bundled', contentKey: 'f'.repeat(64) } },
    };
    writeFileSync(join(copy, 'eval', 'center.before.json'), JSON.stringify(before));
    const again = resultsForReport(copy, readRun(copy)).results.filter((r) => r.key === 'center');
    expect(again.map((r) => r.top1Error)).toEqual([center.top1Error]);
    rmSync(join(copy, 'eval', resultFileName(center.identity as ResultIdentity)));
    // One content only: the report does not re-read the data (it is a function of the run
    // directory), so the result stands for the run's data as tested.
    const stale2 = resultsForReport(copy, readRun(copy));
    expect(stale2.results.filter((r) => r.key === 'center').map((r) => r.top1Error)).toEqual([
      0.97,
    ]);
  });
});

describe('a run directory eval cannot write to', () => {
  const runDir = join(root, 'readonly');
  beforeAll(async () => {
    const r = await trainTiny(runDir, '--preset', 'table1/prelu', '--max-steps', '1', '--json');
    expect(r.code, r.err).toBe(0);
  });

  it('eval prints its results, warns that it could not save them and exits 0', async () => {
    // chmod does not stop root: a file where eval/ should be fails for every user.
    writeFileSync(join(runDir, 'eval'), 'not a directory');
    const r = await cli('eval', runDir, '--protocol', 'center');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/top-1 error \d+\.\d\d%.*\(16 images\)/);
    expect(r.err).toMatch(/warning: Could not save the test results in .*eval.*printed only/);
  });

  it('saveEvalResults reports a failing write as ResultsNotSavedError naming the folder', async () => {
    const [r] = await evalJson(runDir, '--protocol', 'center');
    const failing = {
      mkdir: () => undefined,
      write: () => {
        throw new Error('EROFS: read-only file system');
      },
    };
    expect(() => saveEvalResults(runDir, [r], failing)).toThrow(ResultsNotSavedError);
    expect(() => saveEvalResults(runDir, [r], failing)).toThrow(/results in .*eval: EROFS/);
    expect(readFileSync(join(runDir, 'config.json'), 'utf8')).toContain('"rectifier"');
  });
});
