import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { configDifferences } from './reproduce';
import { readRun } from './run';
import { cli, tinyRunFlags } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-reuse-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');

it('configDifferences names every key that can change the numbers, old → new', () => {
  const base = { lr: 0.01, valLimit: 16, threads: 2, keep: 2, seed: 0 } as never;
  expect(configDifferences(base, { ...(base as object), threads: 1, keep: 5 } as never)).toEqual(
    [],
  );
  expect(
    configDifferences(base, { ...(base as object), lr: 0.001, valLimit: null } as never),
  ).toEqual(['lr 0.01 → 0.001', 'valLimit 16 → null']);
});

// Table 1's two PReLU nets, one step each on 64 images, tested on 16: the new-user trial's cases.
it('reproduce reuses a run only with the same resolved config; otherwise exit 2 naming the keys, or --fresh', async () => {
  const out = join(root, 'runs');
  const args = ['reproduce', 'table1', ...tinyRunFlags, '--max-steps', '1', '--out', out];
  const first = await cli(...args, '--json');
  expect(first.code, first.err).toBe(0);
  const runs: string[] = JSON.parse(first.out).runs;
  expect(runs).toHaveLength(2);
  const lr = readRun(runs[0]).config.lr;

  // The same flags: nothing trained or tested again.
  const same = await cli(...args, '--json');
  expect(same.code, same.err).toBe(0);
  expect(same.err).toMatch(/prelu seed 0: finished earlier with the same settings, reusing/);
  expect(same.err).toMatch(/tested earlier \(center\), reusing the results/);
  expect(same.err).not.toMatch(/training|testing/);
  expect(JSON.parse(same.out).rows).toEqual(JSON.parse(first.out).rows);

  // Another learning rate, and without --val-limit: refused before any work, naming both keys.
  const withoutLimit = args.filter((a, i) => a !== '--val-limit' && args[i - 1] !== '--val-limit');
  const changed = await cli(...withoutLimit, '--lr', String(lr / 10), '--json');
  expect(changed.code).toBe(2);
  expect(changed.err).toContain(`lr ${lr} → ${lr / 10}`);
  expect(changed.err).toContain('valLimit 16 → null');
  expect(changed.err).toMatch(/--fresh/);
  expect(changed.out).not.toMatch(/"runs"/); // --json: only the error object
  expect(readRun(runs[0]).config.lr).toBe(lr);

  // --fresh: the old run is moved aside (kept), the new one trained with the new rate.
  const fresh = await cli(...args, '--lr', String(lr / 10), '--fresh', '--json');
  expect(fresh.code, fresh.err).toBe(0);
  expect(fresh.err).toMatch(/made with other settings \(lr .*\); moved aside to .*replaced-/);
  expect(readRun(runs[0]).config.lr).toBe(lr / 10);
  const parent = join(runs[0], '..');
  const aside = readdirSync(parent).filter((d) => d.startsWith('seed-0.replaced-'));
  expect(aside).toHaveLength(1);
  expect(readRun(join(parent, aside[0])).config.lr).toBe(lr);

  // An interrupted run (no summary.json) with other settings is refused too, not resumed.
  rmSync(join(runs[1], 'summary.json'));
  const resumed = await cli(...args, '--json');
  expect(resumed.code).toBe(2);
  expect(resumed.err).toContain(`lr ${lr / 10} → ${lr}`);
  expect(existsSync(join(runs[1], 'summary.json'))).toBe(false);
  expect(readFileSync(join(runs[1], 'config.json'), 'utf8')).toContain(`"lr": ${lr / 10}`);
});
