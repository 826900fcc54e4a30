import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { claims } from './claims';
import { cli, tinyRunFlags } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-shared-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');

const tiny = [...tinyRunFlags, '--max-steps', '1'];

/**
 * Every file a run's training wrote (config, metrics, slopes, summary, checkpoints), with its
 * modification time and content hash; the tests and extras other experiments add are left out.
 */
function trainedFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (f === 'eval' || f === 'responses.json') continue;
      if (statSync(p).isDirectory()) walk(p);
      else
        out[relative(dir, p)] =
          `${statSync(p).mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

/** The run directories under `out`: `<experiment>-<scale>/<variant>/<seed>`. */
const runDirsUnder = (out: string) =>
  readdirSync(out).flatMap((x) =>
    readdirSync(join(out, x))
      .filter((v) => statSync(join(out, x, v)).isDirectory())
      .flatMap((v) => readdirSync(join(out, x, v)).map((s) => join(x, v, s))),
  );

async function reproduceJson(name: string, out: string, ...flags: string[]) {
  const r = await cli('reproduce', name, ...tiny, ...flags, '--out', out, '--json');
  expect(r.code, r.err).toBe(0);
  return { ...JSON.parse(r.out), err: r.err };
}

/** The claims of `name` are the report's, each with a verdict and the numbers it rests on. */
function expectOwnClaims(
  name: string,
  verdicts: { claim: string; verdict: string; details: string[] }[],
) {
  expect(verdicts.map((v) => v.claim)).toEqual(claims[name].map((c) => c.text));
  for (const v of verdicts) {
    expect(['reproduced', 'not reproduced', 'undecided']).toContain(v.verdict);
    expect(v.details.length).toBeGreaterThan(0);
  }
}

it('after reproduce table2, table1 and figure2 train nothing: they test and report on its runs', async () => {
  const out = join(root, 'after-table2');
  const t2 = await reproduceJson('table2', out, '--seeds', '2');
  expect(t2.runs).toHaveLength(8);
  const dirs = runDirsUnder(out);
  const trained = Object.fromEntries(t2.runs.map((d: string) => [d, trainedFiles(d)]));

  const t1 = await reproduceJson('table1', out, '--seeds', '2');
  expect(t1.runs).toEqual(t2.runs.filter((d: string) => /\/prelu(-shared)?\//.test(d)));
  expect(t1.err).toMatch(/table1 prelu seed 1: finished earlier with the same settings, reusing/);
  expect(t1.err).not.toMatch(/training/);
  expect(t1.err).toMatch(/testing \(center\)/);
  expect(t1.report.markdown).toBe(join(out, 'table1-cpu', 'report.md'));
  expectOwnClaims('table1', t1.verdicts);
  // Table 1's own (centre-crop) results, both seeds, not table2's 10-view ones.
  expect(t1.rows.map((r: { key: string; seeds: number }) => [r.key, r.seeds])).toEqual([
    ['center', 2],
    ['center', 2],
  ]);

  const f2 = await reproduceJson('figure2', out, '--seeds', '2');
  expect(f2.runs).toEqual(t2.runs.filter((d: string) => /\/(relu|prelu)\//.test(d)));
  expect(f2.err).not.toMatch(/training/);
  expect(f2.report.markdown).toBe(join(out, 'figure2-cpu', 'report.md'));
  expectOwnClaims('figure2', f2.verdicts);
  for (const d of f2.runs) expect(existsSync(join(d, 'responses.json'))).toBe(true);
  expect(readFileSync(f2.report.markdown, 'utf8')).toMatch(/Mean response per activation layer/);

  // No run trained or resumed: the same run directories, their training files untouched.
  expect(runDirsUnder(out).sort()).toEqual(dirs.sort());
  for (const d of t2.runs) expect(trainedFiles(d), d).toEqual(trained[d]);

  // table2 again: everything reused, and its report keeps its own 10-view results only.
  const again = await reproduceJson('table2', out, '--seeds', '2');
  expect(again.err).not.toMatch(/training|testing/);
  expect(again.rows).toEqual(t2.rows);
  expect(again.verdicts).toEqual(t2.verdicts);
});

it("reproduce table1 alone trains into table2's run directories, which reproduce table2 then reuses", async () => {
  const out = join(root, 'table1-first');
  const t1 = await reproduceJson('table1', out);
  expect(t1.runs).toEqual(
    ['prelu-shared', 'prelu'].map((v) => join(out, 'table2-cpu', v, 'seed-0')),
  );
  expect(t1.err).toMatch(/table1 prelu seed 0: training/);
  // Only the report (and its charts) in table1-cpu: no run directories.
  const reportFiles = readdirSync(join(out, 'table1-cpu')).filter((f) => !f.endsWith('.svg'));
  expect(reportFiles.sort()).toEqual(['report.html', 'report.md']);
  expectOwnClaims('table1', t1.verdicts);
  const trained = Object.fromEntries(t1.runs.map((d: string) => [d, trainedFiles(d)]));

  const t2 = await reproduceJson('table2', out);
  expect(t2.err).toMatch(/table2 prelu-shared seed 0: finished earlier with the same settings/);
  expect(t2.err).toMatch(/table2 prelu seed 0: finished earlier with the same settings/);
  expect(t2.err.match(/: training/g)).toHaveLength(2); // relu and lrelu only
  for (const d of t1.runs) expect(trainedFiles(d), d).toEqual(trained[d]);
  expectOwnClaims('table2', t2.verdicts);

  // Other settings: refused (exit 2), saying that --fresh would move table2's runs aside.
  const changed = await cli('reproduce', 'table1', ...tiny, '--lr', '0.5', '--out', out);
  expect(changed.code).toBe(2);
  expect(changed.err).toMatch(/table2's runs, which table1 shares: --fresh moves them aside/);

  // A run an earlier version trained under table1's own folder is named as no longer read.
  mkdirSync(join(out, 'table1-cpu', 'prelu', 'seed-0'), { recursive: true });
  const again = await reproduceJson('table1', out);
  expect(again.err).toMatch(/note: .*table1-cpu\/prelu holds runs of an earlier version/);
  expect(again.err).not.toMatch(/training|testing/);
  for (const d of t1.runs) expect(trainedFiles(d), d).toEqual(trained[d]);
});
