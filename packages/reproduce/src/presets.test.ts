import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArchitectureSpec, describeArchitecture } from '@rectifier/architectures';
import { describe, expect, it } from 'vitest';
import { modelOptionsOf } from './model';
import { experiments } from './presets';
import { type Experiment, variantConfig } from './presets/experiment';
import { experimentConfigs } from './reproduce';

const imagenet = mkdtempSync(join(tmpdir(), 'rectifier-presets-'));

/** `n` conv layers of `k`×`k`, `filters` each. */
const convs = (n: number, k: number, filters: number) =>
  Array.from({ length: n }, () => `${k}x${k},${filters}`);

// The paper's architectures, written from its tables (not from @rectifier/architectures):
// conv kernels and filters in order, SPP levels, fc units; 1000 ImageNet classes.
const paperModels: Record<string, { convs: string[]; spp: number[]; depth: number }> = {
  // Table 1: the 14-layer small model.
  small: {
    convs: ['7x7,64', ...convs(4, 2, 128), ...convs(6, 2, 256)],
    spp: [6, 3, 2, 1],
    depth: 14,
  },
  // Sec. 2.2: Table 1's model with sixteen more conv 2×2, 256: 27 conv + 3 fc = 30 layers.
  deep: {
    convs: ['7x7,64', ...convs(4, 2, 128), ...convs(22, 2, 256)],
    spp: [6, 3, 2, 1],
    depth: 30,
  },
  // Table 3: models A (19), B (22), C (22), SPP {7, 3, 2, 1}; VGG-19 is its first column.
  A: { convs: ['7x7,96', ...convs(5, 3, 256), ...convs(10, 3, 512)], spp: [7, 3, 2, 1], depth: 19 },
  B: { convs: ['7x7,96', ...convs(6, 3, 256), ...convs(12, 3, 512)], spp: [7, 3, 2, 1], depth: 22 },
  C: {
    convs: ['7x7,96', ...convs(6, 3, 384), ...convs(6, 3, 768), ...convs(6, 3, 896)],
    spp: [7, 3, 2, 1],
    depth: 22,
  },
  'vgg19-spp': {
    convs: [...convs(2, 3, 64), ...convs(2, 3, 128), ...convs(4, 3, 256), ...convs(8, 3, 512)],
    spp: [7, 3, 2, 1],
    depth: 19,
  },
};

function shapeOf(spec: ArchitectureSpec) {
  const conv = spec.trunk.flatMap((l) =>
    l.kind === 'conv2d' ? [`${l.kernelSize}x${l.kernelSize},${l.filters}`] : [],
  );
  const fc = spec.head.flatMap((l) => (l.kind === 'dense' ? [l.units] : []));
  const spp = spec.head.flatMap((l) => (l.kind === 'spp' ? l.levels : []));
  return { convs: conv, spp, fc, depth: conv.length + fc.length };
}

const paperConfigs = (e: Experiment) => experimentConfigs(e, 'paper', 1, { data: imagenet });

describe('paper-scale presets', () => {
  it("build the paper's models: Table 1/3 widths and depths, SPP levels, fc 4096", () => {
    let checked = 0;
    for (const e of Object.values(experiments)) {
      for (const c of paperConfigs(e)) {
        const paper = paperModels[c.model];
        expect(paper, `${e.name}/${c.variant}: ${c.model}`).toBeDefined();
        const built = shapeOf(describeArchitecture(c.model, modelOptionsOf(c, 1000)));
        expect(built, `${e.name}/${c.variant}`).toEqual({
          convs: paper.convs,
          spp: paper.spp,
          fc: [4096, 4096, 1000],
          depth: paper.depth,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(24);
  });

  it("train as Sec. 3 says: 224 crops, jitter [256, 512] (not Table 2's), colour altering 0.1", () => {
    for (const e of Object.values(experiments)) {
      for (const c of paperConfigs(e)) {
        const fixedSide = e.name === 'table1' || e.name === 'table2' || e.name === 'figure2';
        expect(c, `${e.name}/${c.variant}`).toMatchObject({
          crop: 224,
          resize: 256,
          scaleJitter: fixedSide ? null : [256, 512],
          pcaLighting: 0.1,
          batchSize: 128,
          // Shared runs (Table 1, Figure 2 on Table 2's nets) store their source's config.
          protocols: experiments[e.runsOf ?? e.name].protocols,
        });
      }
    }
  });

  it("Figure 3 is model B at full width and the 30-layer net, tested with Table 2's 10 views", () => {
    const e = experiments.figure3;
    const configs = paperConfigs(e);
    expect(configs.map((c) => [c.variant, c.model, c.widthMultiplier])).toEqual([
      ['B-msra', 'B', 1],
      ['B-xavier', 'B', 1],
      ['30-msra', 'deep', 1],
      ['30-xavier', 'deep', 1],
    ]);
    expect(e.protocols).toContain('ten-view');
    expect(e.paper.rows.find((r) => r.variant === '30-msra')).toMatchObject({
      protocol: 'ten-view',
      top1: 38.56,
      top5: 16.59,
    });
  });

  it('Table 7 combines six models, one of architecture C (Sec. 4)', () => {
    const configs = paperConfigs(experiments.table7);
    expect(configs).toHaveLength(6);
    const members = configs.map((c) => `${c.model}/${c.activation}`);
    expect(new Set(members).size).toBe(6);
    expect(members.filter((m) => m.startsWith('C/'))).toEqual(['C/prelu']);
    // "six models including those in Table 6"
    for (const c of paperConfigs(experiments.table6)) {
      expect(members).toContain(`${c.model}/${c.activation}`);
    }
  });
});

describe('cpu-scale presets', () => {
  const cpu = (e: Experiment) => experimentConfigs(e, 'cpu', 1);

  it("models A/B/C train with scale jitter: the paper's [256, 512] scaled as 256 → resize", () => {
    for (const name of ['table4', 'table5', 'table6', 'table7', 'figure4']) {
      for (const c of cpu(experiments[name])) {
        const f = c.resize / 256;
        expect(c.scaleJitter, `${name}/${c.variant}`).toEqual([256 * f, 512 * f]);
        expect(c.crop).toBeLessThanOrEqual(c.scaleJitter?.[0] ?? 0);
      }
    }
  });

  it('narrow only where the variant says so: Figure 3 B at 1/8 width, the 30-layer net at 1/2', () => {
    const widths = Object.fromEntries(cpu(experiments.figure3).map((c) => [c.variant, c]));
    expect(widths['B-msra'].widthMultiplier).toBe(0.125);
    expect(widths['30-msra'].widthMultiplier).toBe(0.5);
    expect(cpu(experiments.table7)).toHaveLength(6);
  });

  it('leave colour altering off (grey data) but accept it as a key', () => {
    const [c] = experimentConfigs(experiments.table2, 'cpu', 1, { pcaLighting: 0.1 });
    expect(c.pcaLighting).toBe(0.1);
    expect(cpu(experiments.table2)[0].pcaLighting).toBeNull();
    const off = (v: number | false | null) =>
      experimentConfigs(experiments.table2, 'cpu', 1, { pcaLighting: v })[0].pcaLighting;
    expect([off(0), off(false), off(null)]).toEqual([null, null, null]);
  });
});

describe('variantConfig', () => {
  it('refuses a variant that sets a scale-level key, naming it and where it belongs', () => {
    const e: Experiment = {
      ...experiments.figure3,
      variants: [
        {
          name: 'narrow',
          config: { model: 'B', widthMultiplier: 0.125 } as Experiment['variants'][0]['config'],
        },
      ],
    };
    expect(() => variantConfig(e, e.variants[0], 'paper')).toThrow(
      /may set only model, .*`widthMultiplier`.*`cpu` settings/,
    );
  });

  it("applies a variant's cpu departures at cpu scale only", () => {
    const e = experiments.figure3;
    const b = e.variants[0];
    expect(variantConfig(e, b, 'cpu').widthMultiplier).toBe(0.125);
    expect(variantConfig(e, b, 'paper').widthMultiplier).toBe(1);
  });
});
