import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { center } from '@rectifier/evaluation';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from './datasets';
import { meanResponses } from './evaluate';
import { datasetStats, preprocessOf } from './model';
import { loadRunModel } from './run';
import { trainTiny } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-responses-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');

describe('meanResponses (Figure 2) on the nested input → trunk → head model', () => {
  const runDir = join(root, 'relu');
  beforeAll(async () => {
    const r = await trainTiny(runDir, '--preset', 'figure2/relu', '--max-steps', '1', '--json');
    expect(r.code, r.err).toBe(0);
  });

  it('measures every rectifier layer of trunk and head, and conv1’s mean is relu(conv1(x))’s', async () => {
    const images = 3;
    const responses = await meanResponses(runDir, images);
    const { built, config: c } = await loadRunModel(runDir);
    const rectifiers = [built.trunk, built.head].flatMap((p) =>
      p.layers.filter((l) => /ReLU/.test(l.getClassName())),
    );
    expect(responses.map((r) => r.layer)).toEqual(rectifiers.map((l) => l.name));
    // The small model: 11 conv layers in the trunk (Table 1), two fc layers in the head.
    expect(rectifiers.length).toBeGreaterThanOrEqual(11);
    for (const r of responses) expect(r.mean).toBeGreaterThanOrEqual(0);

    // conv1's response recomputed by applying the trunk's layers up to its first rectifier.
    const data = openDataset(c.data, { train: c.trainLimit, val: c.valLimit });
    const scorer = center(built, {
      resize: c.resize,
      crop: c.crop,
      preprocess: preprocessOf(await datasetStats(data, c), c.inputScale),
    });
    let sum = 0;
    for (let i = 0; i < images; i++) {
      const x = await (scorer.views as NonNullable<typeof scorer.views>)(await data.val.bytes(i));
      const m = tf.tidy(() => {
        let h: tf.Tensor = x;
        for (const layer of built.trunk.layers.slice(1)) {
          h = layer.apply(h) as tf.Tensor;
          if (layer === rectifiers[0]) break;
        }
        return h.mean();
      });
      sum += (await m.data())[0] / images;
      tf.dispose([x, m]);
    }
    // Float32 means of ~10⁵ values summed in different orders: relative 1e-4 is ~10× the
    // expected rounding (√n · 2⁻²⁴ · n / n).
    expect(responses[0].mean).toBeCloseTo(sum, 4);
    expect(Math.abs(responses[0].mean - sum)).toBeLessThanOrEqual(1e-4 * Math.abs(sum) + 1e-7);
  });
});
