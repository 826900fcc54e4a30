import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPlan, planExperiment } from './plan';
import { experiments } from './presets';
import type { Experiment } from './presets/experiment';
import { table4, table5, table6, table7 } from './presets/largeModels';
import { figure2, table1, table2 } from './presets/smallNets';
import { experimentConfigs, runsSource } from './reproduce';
import { cli } from './testing/cli';

describe('experiments that read another experiment runs (runsOf)', () => {
  it('Table 1 and Figure 2 read the Table 2 runs, Tables 4–6 the Table 7 runs; every runsOf names variants its source has', () => {
    expect(table1.runsOf).toBe('table2');
    expect(figure2.runsOf).toBe('table2');
    for (const e of [table4, table5, table6]) expect(e.runsOf).toBe('table7');
    const shared = Object.values(experiments).filter((e) => e.runsOf !== undefined);
    expect(shared.map((e) => e.name).sort()).toEqual([
      'figure2',
      'table1',
      'table4',
      'table5',
      'table6',
    ]);
    for (const e of shared) {
      const source = experiments[e.runsOf as string];
      expect(source.runsOf, `${e.name}: a source trains its own runs`).toBeUndefined();
      const names = source.variants.map((v) => v.name);
      for (const v of e.variants) expect(names, `${e.name}/${v.name}`).toContain(v.name);
    }
    expect(table1.variants.map((v) => v.name)).toEqual(['prelu-shared', 'prelu']);
    expect(figure2.variants.map((v) => v.name)).toEqual(['relu', 'prelu']);
  });

  it("their configs are their source's configs of their variants, at both scales and with overrides", () => {
    for (const [e, from] of [
      [table1, table2],
      [figure2, table2],
      [table4, table7],
      [table5, table7],
      [table6, table7],
    ] as const) {
      const names = e.variants.map((v) => v.name);
      for (const scale of ['cpu', 'paper'] as const) {
        const overrides =
          scale === 'paper'
            ? { data: mkdtempSync(join(tmpdir(), 'rectifier-shared-')) }
            : { lr: 0.003, maxSteps: 2 };
        const own = experimentConfigs(e, scale, 2, overrides);
        const source = experimentConfigs(from, scale, 2, overrides);
        expect(own).toEqual(source.filter((c) => names.includes(c.variant)));
        expect(own.every((c) => c.experiment === from.name)).toBe(true);
      }
    }
  });

  it('a preset whose runsOf lacks one of its variants, or names no experiment, is refused', () => {
    const stray: Experiment = {
      ...table1,
      variants: [...table1.variants, { name: 'elu', config: { activation: 'relu' } }],
    };
    expect(() => runsSource(stray)).toThrow(/runsOf "table2".*missing: elu/);
    expect(() => experimentConfigs(stray, 'cpu', 1)).toThrow(/missing: elu/);
    expect(() => runsSource({ ...table1, runsOf: 'table3' })).toThrow(/runsOf "table3"/);
    expect(() => runsSource({ ...table1, runsOf: 'table1' })).toThrow(/trains its own runs/);
  });

  it("--plan shows table2's run directories, the experiment's own tests, and says they are shared; so does --list", async () => {
    const plan = planExperiment('figure2', { seeds: 2, out: 'o' });
    expect(plan.sharedWith).toBe('table2');
    expect(plan.reportDir).toBe(join('o', 'figure2-cpu'));
    expect(plan.runs.map((r) => r.runDir)).toEqual(
      ['relu', 'prelu'].flatMap((v) => [0, 1].map((s) => join('o', 'table2-cpu', v, `seed-${s}`))),
    );
    expect(plan.runs.every((r) => r.tests.map((t) => t.protocol).join() === 'center')).toBe(true);
    const text = formatPlan(plan);
    expect(text).toMatch(/shared with table2/);
    expect(text).toMatch(/count their [\d,]+ training images once/);
    expect(text).toContain(join('o', 'table2-cpu', 'prelu', 'seed-1'));
    const list = await cli('reproduce', '--list');
    expect(list.out).toMatch(/^figure2 .*\(relu, prelu; table2's runs\)$/m);
    expect(list.out).toMatch(/^table2 .*\(relu, lrelu, prelu-shared, prelu\)$/m);
    const own = planExperiment('table2', { out: 'o' });
    expect(own.sharedWith).toBeNull();
    expect(formatPlan(own)).not.toMatch(/shared with/);
  });
});
