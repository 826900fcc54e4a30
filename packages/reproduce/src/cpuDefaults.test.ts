import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from './config';
import { cpuBase } from './presets/bases';
import { cli } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-cpu-defaults-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');

describe('`rectifier train --scale cpu` without a preset', () => {
  it("resolves to the cpu presets' recipe and trains without diverging", async () => {
    const runDir = join(root, 'bare');
    const limits = { trainLimit: 256, valLimit: 16, maxSteps: 8, backend: 'wasm' } as const;
    const r = await cli(
      'train',
      '--scale',
      'cpu',
      '--train-limit',
      '256',
      '--val-limit',
      '16',
      '--max-steps',
      '8',
      '--backend',
      'wasm',
      '--run-dir',
      runDir,
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    const stored = config.run.meta.rectifier;
    expect(stored).toEqual(parseRunConfig({ ...cpuBase, ...limits }, 'cpuBase'));
    expect(stored).toMatchObject({ widthMultiplier: 0.5, fcUnits: 1024, crop: 112, lr: 0.001 });
    expect(stored.inputScale).toBe(1);
    // The trainer got the run's fractions as epochs: 0.5 and 0.8 of 2 epochs.
    expect(config.run.schedule).toEqual({ kind: 'step', config: { at: [1, 1.6], factor: 0.1 } });

    const losses = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((m) => m.type === 'step')
      .map((m) => m.loss as number);
    expect(losses).toHaveLength(8);
    // A fresh net starts near ln 10 (10 classes). The schema's paper-scale values (full width,
    // fc 4096, raw pixels at lr 0.01) passed 3 × that start by step 4–5 and went on to NaN;
    // 3× is also where the trainer warns that the loss is rising.
    for (const loss of losses) {
      expect(Number.isFinite(loss)).toBe(true);
      expect(loss).toBeLessThan(3 * Math.log(10));
    }
    expect(r.err).not.toMatch(/the loss rose/);
  });
});
