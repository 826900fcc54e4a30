import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { BuiltModel } from '@rectifier/architectures';
import { registerWasmTrainingKernels } from '@rectifier/backend';
import { readImageFolder } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSource, type EvaluationResult, evaluate, mergeResults } from './evaluate';
import { MetricsAccumulator } from './metrics';
import { center, dense, type Scorer } from './protocols';
import { formatJson, formatPerClassCsv, formatTable } from './report';
import { preprocess, randomPng, tinyModel } from './testing/tinyModel';

const classes = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];
// Small enough that 3,000 images take seconds: crop 80 gives the small net its 6×6 map.
const crop = 80;
const resize = 88;

let built: BuiltModel;
let pngs: Buffer[];
beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  built = tinyModel('small');
  pngs = await Promise.all(Array.from({ length: 14 }, (_, i) => randomPng(96, 88, 100 + i)));
});
afterAll(() => built.model.dispose());

const lines = (stream: PassThrough) =>
  String(stream.read() ?? '')
    .trim()
    .split('\n')
    .filter(Boolean);

describe('evaluate', () => {
  it('streams 3,000 images in bounded memory with JSON-line progress', async () => {
    const n = 3000;
    const batchSize = 25;
    const base = center(built, { resize, crop, preprocess, batchSize: 25 });
    let pulled = 0;
    let scored = 0;
    let maxInFlight = 0;
    const scorer: Scorer = {
      ...base,
      async score(images) {
        maxInFlight = Math.max(maxInFlight, pulled - scored);
        const out = await base.score(images);
        scored += images.length;
        return out;
      },
    };
    function* images() {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield { bytes: pngs[i % pngs.length], label: i % classes.length, path: `img${i}` };
      }
    }
    // Expected figures: image i has the scores of png i mod 14 and label i mod 7.
    const perPng = await base.score(pngs);
    const expected = new MetricsAccumulator(classes);
    for (let i = 0; i < n; i++) expected.add(perPng[i % pngs.length], i % classes.length);

    const progress = new PassThrough();
    const tensors = tf.memory().numTensors;
    const result = await evaluate(
      scorer,
      { classes, images: images(), total: n },
      { batchSize, examples: 3, progressStream: progress },
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect(maxInFlight).toBe(batchSize); // never more than one batch held
    expect(result.state).toEqual(expected.toState());
    expect(result.count).toBe(n);
    // The state holds counts only: at most classes² wrong pairs, whatever the number of images.
    expect(result.state.confusions.length).toBeLessThanOrEqual(classes.length ** 2);
    expect(result.examples.map((e) => e.path)).toEqual(['img0', 'img1', 'img2']);
    expect(result.examples[1].top5).toHaveLength(5);
    expect(result.examples[1].labelName).toBe('one');

    const events = lines(progress).map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[events.length - 1]).toMatchObject({
      type: 'test-progress',
      final: true,
      images: n,
      total: n,
    });
    expect(events[0]).toMatchObject({
      type: 'test-progress',
      final: false,
      label: 'center',
      total: n,
    });
    expect(events[0].etaSeconds).toBeGreaterThanOrEqual(0);
  });

  it('shows a bar with rate and ETA on a TTY', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    const scorer = center(built, { resize, crop, preprocess });
    const images = pngs.map((bytes, i) => ({ bytes, label: i % 7 }));
    await evaluate(scorer, { classes, images, total: images.length }, { progressStream: tty });
    const out = String(tty.read());
    expect(out).toMatch(/testing center .*14\/14 images \| ETA .* \| [\d.]+ img\/s/);
  });

  it('shards from an ImageFolder merge into the whole evaluation', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectifier-eval-'));
    try {
      pngs.forEach((png, i) => {
        const dir = join(root, classes[i % 7]);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${i}.png`), png);
      });
      const data = readImageFolder(root);
      expect(data.classes).toEqual([...classes].sort());
      const scorer = dense(built, { scale: resize, crop, preprocess });
      const quiet = { progress: 'none' as const, examples: 14 };
      const whole = await evaluate(scorer, datasetSource(data), quiet);
      const shards: EvaluationResult[] = [];
      for (const rank of [0, 1, 2]) {
        shards.push(await evaluate(scorer, datasetSource(data, { rank, worldSize: 3 }), quiet));
      }
      expect(shards.map((s) => s.count)).toEqual([5, 5, 4]);
      const merged = mergeResults(shards);
      expect(merged.state).toEqual(whole.state);
      expect(merged.top1Error).toBe(whole.top1Error);
      expect(merged.perClass).toEqual(whole.perClass);
      expect(merged.examples).toHaveLength(14);
      expect(() => mergeResults([whole, { ...whole, settings: { other: 1 } }])).toThrow(
        /shard 1 was evaluated with other settings/,
      );
      expect(() => datasetSource(data, { rank: 3, worldSize: 3 })).toThrow(/rank=3, worldSize=3/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('rejects a class count mismatch and unknown options', async () => {
    const scorer = center(built, { resize, crop });
    await expect(evaluate(scorer, { classes: ['a', 'b'], images: [] })).rejects.toThrow(
      /gives 7 class scores but the source has 2 classes/,
    );
    await expect(
      evaluate(scorer, { classes, images: [] }, { batchsize: 3 } as never),
    ).rejects.toThrow(/`batchsize` \(did you mean `batchSize`\?\)/);
  });
});

describe('reports', () => {
  const result = (label: string, top1: number, top5: number): EvaluationResult => {
    const m = new MetricsAccumulator(['a, "quoted"', 'b', 'c']);
    m.add([0.2, 0.5, 0.3], 0);
    return {
      protocol: 'dense',
      label,
      settings: { scale: 1 },
      classes: 3,
      ...m.summary(),
      top1Error: top1,
      top5Error: top5,
      examples: [],
      seconds: 1,
      imagesPerSecond: 1,
      state: m.toState(),
    };
  };

  it('lays the table out like Tables 4–6: a row per model, top-1/top-5 per protocol', () => {
    const table = formatTable([
      {
        model: 'A, ReLU',
        results: [result('dense(256)', 0.2625, 0.0825), result('multiScale', 0.2402, 0.0651)],
      },
      { model: 'A, PReLU', results: [result('dense(256)', 0.2581, 0.0808)] },
    ]);
    expect(table.split('\n')).toEqual([
      '| model | dense(256) top-1 | dense(256) top-5 | multiScale top-1 | multiScale top-5 |',
      '| --- | ---: | ---: | ---: | ---: |',
      '| A, ReLU | 26.25 | 8.25 | 24.02 | 6.51 |',
      '| A, PReLU | 25.81 | 8.08 | — | — |',
    ]);
  });

  it('writes per-class CSV (quoted names, empty classes blank) and JSON', () => {
    const r = result('center', 1, 0);
    expect(formatPerClassCsv(r).split('\n')).toEqual([
      'index,name,count,top1_error,top5_error',
      '0,"a, ""quoted""",1,1,0',
      '1,b,0,,',
      '2,c,0,,',
      '',
    ]);
    const parsed = JSON.parse(formatJson([r]));
    expect(parsed.format).toBe('rectifier-evaluation/1');
    expect(parsed.results[0]).toEqual(r);
  });
});
