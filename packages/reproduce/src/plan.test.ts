import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseRunConfig } from './config';
import { ilsvrc2012Sizes, planExperiment } from './plan';
import { experiments } from './presets';
import { experimentConfigs, imagenetPlaceholder } from './reproduce';
import { cli, writeImageTree } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-plan-'));
const cache = join(root, 'cache');
process.env.RECTIFIER_CACHE = cache;

const planSchema = z.object({
  experiment: z.string(),
  scale: z.enum(['cpu', 'paper']),
  data: z.object({ name: z.string(), train: z.number(), val: z.number(), assumed: z.boolean() }),
  runs: z.array(
    z.object({
      variant: z.string(),
      seed: z.number(),
      runDir: z.string(),
      config: z.record(z.string(), z.unknown()),
      tests: z.array(
        z.object({
          protocol: z.string(),
          scales: z.array(z.number()).nullable(),
          views: z.number(),
        }),
      ),
      images: z.object({
        train: z.number(),
        validation: z.number(),
        test: z.number(),
        total: z.number(),
      }),
    }),
  ),
  ensembles: z.array(z.object({ seed: z.number(), members: z.array(z.string()) })),
  images: z.number(),
});

describe('planExperiment', () => {
  it('resolves the configs reproduce would run, data named <your ImageNet> without --data', () => {
    for (const e of Object.values(experiments)) {
      const cpu = planExperiment(e.name, { scale: 'cpu', seeds: 2 });
      expect(cpu.runs.map((r) => r.config)).toEqual(experimentConfigs(e, 'cpu', 2));
      const paper = planExperiment(e.name, { scale: 'paper' });
      expect(paper.runs).toHaveLength(e.variants.length);
      for (const r of paper.runs) {
        expect(r.config.data).toBe(imagenetPlaceholder);
        // Apart from the placeholder, what the run directory would store: a valid config.
        expect(parseRunConfig({ ...r.config, data: 'bundled' }, 'plan')).toEqual({
          ...r.config,
          data: 'bundled',
        });
      }
      expect(paper.data).toMatchObject({ ...ilsvrc2012Sizes, assumed: true });
    }
  });

  it('counts images: training × epochs (or max steps × batch), validation per epoch, test × views', () => {
    // Table 4 at paper scale: 80 epochs of ILSVRC-2012, centre-crop validation after each,
    // dense tests at 256, 384 and 480 (image and flip: 6 passes) for dense and multi-scale.
    const [run] = planExperiment('table4', { scale: 'paper' }).runs;
    expect(run.tests).toEqual([
      { protocol: 'dense', scales: [256, 384, 480], views: 6 },
      { protocol: 'multi-scale', scales: [256, 384, 480], views: 6 },
    ]);
    expect(run.images).toEqual({
      train: 1_281_167 * 80,
      validation: 50_000 * 80,
      test: 50_000 * 12,
      total: 1_281_167 * 80 + 50_000 * 80 + 50_000 * 12,
    });
    const short = planExperiment('table2', {
      scale: 'cpu',
      overrides: {
        maxSteps: 3,
        batchSize: 16,
        valLimit: 40,
        valEveryEpoch: false,
        schedule: { kind: 'constant' },
      },
    }).runs[0];
    expect(short.images).toEqual({ train: 48, validation: 0, test: 400, total: 448 });
    // Table 7 scores its six members again as one ensemble per seed.
    const t7 = planExperiment('table7', { scale: 'cpu', seeds: 2 });
    expect(t7.ensembles.map((x) => x.members.length)).toEqual([6, 6]);
    const perRun = t7.runs.reduce((n, r) => n + r.images.total, 0);
    expect(t7.images).toBe(perRun + 2 * 6 * t7.data.val * 6);
  });
});

describe('rectifier reproduce --plan', () => {
  it('--json for every experiment at both scales parses, matches the paper and writes nothing', async () => {
    const out = join(root, 'runs');
    for (const e of Object.values(experiments)) {
      for (const scale of ['cpu', 'paper'] as const) {
        const r = await cli(
          'reproduce',
          e.name,
          '--scale',
          scale,
          '--plan',
          '--json',
          '--out',
          out,
        );
        expect(r.code, r.err).toBe(0);
        const plan = planSchema.parse(JSON.parse(r.out));
        expect(plan).toMatchObject({ experiment: e.name, scale });
        expect(plan.runs.map((x) => x.variant)).toEqual(e.variants.map((v) => v.name));
        if (scale === 'paper') {
          for (const run of plan.runs) {
            expect(run.config, `${e.name}/${run.variant}`).toMatchObject({
              widthMultiplier: 1,
              fcUnits: 4096,
              crop: 224,
              pcaLighting: 0.1,
              scaleJitter: ['table1', 'table2', 'figure2'].includes(e.name) ? null : [256, 512],
            });
          }
        }
      }
    }
    const t7 = planSchema.parse(
      JSON.parse((await cli('reproduce', 'table7', '--scale', 'paper', '--plan', '--json')).out),
    );
    expect(t7.runs).toHaveLength(6);
    expect(t7.ensembles[0].members).toHaveLength(6);
    const f3 = planSchema.parse(
      JSON.parse((await cli('reproduce', 'figure3', '--scale', 'paper', '--plan', '--json')).out),
    );
    const deep = f3.runs.find((x) => x.variant === '30-msra');
    expect(deep?.config).toMatchObject({ model: 'deep', extraLayers: 16 });
    expect(deep?.tests).toContainEqual({ protocol: 'ten-view', scales: null, views: 10 });
    // Nothing trained, no run directory, no data statistics computed.
    expect(existsSync(out)).toBe(false);
    expect(existsSync(cache)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('prints a readable plan; with --data the sizes are the data set’s', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'rectifier-plan-data-')), 'ilsvrc');
    await writeImageTree(data, { train: 3, val: 1 }, ['n01440764', 'n01443537']);
    const r = await cli('reproduce', 'table4', '--scale', 'paper', '--data', data, '--plan');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /table4 at paper scale: 2 run\(s\) on ILSVRC layout at .*: 6 train \/ 2 test/,
    );
    expect(r.out).toMatch(/\[1\/2\] A-relu seed 0/);
    expect(r.out).toMatch(/dense at 256, 384, 480 \(6 passes\)/);
    expect(r.out).toMatch(/images: 480 train \+ 160 validation \+ 24 test = 664/);
    expect(r.out).toMatch(/Nothing is trained or written/);
    const bad = await cli('reproduce', 'table4', '--plan', '--seeds', '0');
    expect(bad.code).toBe(2);
    // Naming the bundled set at paper scale is refused, plan or not.
    const bundled = await cli(
      'reproduce',
      'table4',
      '--scale',
      'paper',
      '--data',
      'bundled',
      '--plan',
    );
    expect(bundled.code).toBe(2);
    expect(bundled.err).toMatch(/needs ImageNet/);
  });
});
