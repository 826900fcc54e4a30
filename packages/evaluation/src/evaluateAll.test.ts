import { type BuiltModel, buildModel, loadModel } from '@rectifier/architectures';
import { centerCrop, compose, normalize, resizeShorter } from '@rectifier/augmentation';
import { registerWasmTrainingKernels } from '@rectifier/backend';
import { createRng, loadFashionMnistSubset } from '@rectifier/data';
import { expectAllClose, expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSource, evaluate, evaluateAll } from './evaluate';
import { center, dense, ensemble, multiScale, type Scorer, tenView } from './protocols';
import { preprocess, randomPng, tinyModel } from './testing/tinyModel';

// Same float32 argument as protocols.test.ts: different summation orders of the same products.
const tol = { rtol: 1e-4, atol: 2e-5 };
const crop = 80; // the small net's 6×6 map, its largest pyramid level
const classes = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

/** A scorer that counts the images it scored, to see which work `evaluateAll` shares. */
function counted(s: Scorer): Scorer & { images: number } {
  const out = {
    ...s,
    images: 0,
    async score(images: readonly Buffer[]) {
      out.images += images.length;
      return s.score(images);
    },
  };
  return out;
}

describe('evaluateAll', () => {
  let built: BuiltModel;
  beforeAll(() => {
    built = tinyModel('small');
  });
  afterAll(() => built.model.dispose());

  it('scores each dense scale once for the per-scale and the multi-scale results', async () => {
    const pngs = await Promise.all(Array.from({ length: 5 }, (_, i) => randomPng(100, 90, 40 + i)));
    const source = () => ({
      classes,
      images: pngs.map((bytes, i) => ({ bytes, label: i % 7 })),
      total: pngs.length,
    });
    const scales = [88, 104];
    const made = multiScale(built, { scales, crop, preprocess });
    expect(made.parts.map((p) => p.label)).toEqual(['dense(88)', 'dense(104)']);
    const parts = made.parts.map(counted);
    const ms = { ...made, parts };
    const quiet = { progress: 'none' as const, batchSize: 2, examples: 5 };
    const before = tf.memory().numTensors;
    const [d0, d1, both] = await evaluateAll([parts[0], parts[1], ms], source(), quiet);
    expect(tf.memory().numTensors).toBe(before);
    expect(parts.map((p) => p.images)).toEqual([5, 5]); // not 10: the multi-scale mean reused them

    // Each result is what evaluating its scorer alone gives.
    const alone = await evaluate(multiScale(built, { scales, crop, preprocess }), source(), quiet);
    expect(both.label).toBe('multiScale(88, 104)');
    expect(both.top1Error).toBe(alone.top1Error);
    for (const [a, b] of both.examples.map((e, i) => [e, alone.examples[i]] as const)) {
      expectAllClose(
        a.top5.map((p) => p.score),
        b.top5.map((p) => p.score),
        tol,
      );
    }
    const single = await evaluate(dense(built, { scale: 104, crop, preprocess }), source(), quiet);
    expect(d1.state).toEqual(single.state);
    expect(d0.label).toBe('dense(88)');
  });

  it('an ensemble shares its members with the members’ own results', async () => {
    const other = tinyModel('small', { softmax: false });
    try {
      const pngs = await Promise.all([randomPng(90, 96, 7), randomPng(96, 90, 8)]);
      const source = { classes, images: pngs.map((bytes, i) => ({ bytes, label: i })) };
      const a = counted(center(built, { resize: 88, crop, preprocess }));
      const b = counted(tenView(other, { resize: 88, crop, preprocess }));
      const both = ensemble([a, b]);
      const results = await evaluateAll([a, b, both], source, {
        progress: 'none',
        examples: 2,
      });
      expect([a.images, b.images]).toEqual([2, 2]);
      expect(results.map((r) => r.protocol)).toEqual(['center', 'tenView', 'ensemble']);
      const direct = await both.score(pngs);
      results[2].examples.forEach((e, i) => {
        const top = e.top5[0];
        expect(top.score).toBeCloseTo(direct[i][top.index], 6);
      });
    } finally {
      other.model.dispose();
    }
  });

  it('refuses an empty list of scorers', async () => {
    await expect(evaluateAll([], { classes, images: [] })).rejects.toThrow(
      /non-empty array of scorers/,
    );
  });
});

describe('grey models and the data sets of @rectifier/data', () => {
  // The README's first model: one input channel (Fashion-MNIST), pixels scaled to [0, 1].
  let grey: BuiltModel;
  beforeAll(() => {
    grey = buildModel('small', {
      widthMultiplier: 1 / 16,
      fcUnits: 32,
      numClasses: 10,
      inputChannels: 1,
      seed: 5,
    });
  });
  afterAll(() => grey.model.dispose());
  const toUnit = [normalize({ scale: 1 / 255, mean: [0], std: [1] })];

  it('center on a grey model = the model on the grey centre crop, by every protocol', async () => {
    const fashion = loadFashionMnistSubset('test');
    const source = datasetSource(fashion, { limit: 3 });
    const images: Buffer[] = [];
    for await (const { bytes } of source.images) images.push(bytes);
    const scorer = center(grey, { resize: 96, crop: 84, preprocess: toUnit });
    const views = (await scorer.views?.(images[0])) as tf.Tensor4D;
    expect(views.shape).toEqual([1, 84, 84, 1]);
    // The same crop through @rectifier/augmentation alone: grey PNGs decode to equal channels.
    const rgb = await compose(resizeShorter(96), centerCrop(84)).apply(images[0], createRng(0));
    const channel0 = rgb.data.filter((_, i) => i % 3 === 0).map((v) => v / 255);
    expect(Array.from(await views.data())).toEqual(Array.from(channel0));
    // The model ends in softmax: its output is the score.
    const expected = tf.tidy(() => (grey.model.predict(views) as tf.Tensor2D).arraySync());
    views.dispose();
    expectAllClose((await scorer.score([images[0]]))[0], expected[0], tol);
    await expectNoLeak(async () => {
      for (const s of [
        scorer,
        tenView(grey, { resize: 96, crop: 84, preprocess: toUnit }),
        dense(grey, { scale: 112, crop: 84, preprocess: toUnit }),
        multiScale(grey, { scales: [96, 112], crop: 84, preprocess: toUnit }),
      ]) {
        const scores = await s.score(images);
        expect(scores).toHaveLength(3);
        for (const v of scores) expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    });
  });

  it('a colour image reaches a grey model as its BT.601 luma', async () => {
    const photo = await randomPng(90, 84, 3);
    const views = (await center(grey, { resize: 84, crop: 84 }).views?.(photo)) as tf.Tensor4D;
    const rgb = await compose(resizeShorter(84), centerCrop(84)).apply(photo, createRng(0));
    const luma = Float32Array.from({ length: 84 * 84 }, (_, i) => {
      const [r, g, b] = rgb.data.subarray(3 * i, 3 * i + 3);
      return 0.299 * r + 0.587 * g + 0.114 * b;
    });
    expectAllClose(await views.data(), luma, { rtol: 0, atol: 1e-4 });
    views.dispose();
    const twoChannels = buildModel('small', {
      inputChannels: 2,
      widthMultiplier: 1 / 16,
      fcUnits: 8,
    });
    expect(() => center(twoChannels, { crop: 84 })).toThrow(
      /RGB \(3 channels\) or grey \(1 channel\).*reads 2 channels/,
    );
    twoChannels.model.dispose();
  });

  it('datasetSource reads IDX data (loadFashionMnistSubset, readFashionMnist) as lossless PNGs', async () => {
    const fashion = loadFashionMnistSubset('test');
    const source = datasetSource(fashion, { limit: 7, rank: 1, worldSize: 2 });
    expect(source.classes).toEqual(fashion.classes);
    expect(source.total).toBe(3);
    const seen: number[] = [];
    for await (const { bytes, label, path } of source.images) {
      const i = Number(path?.slice('idx:'.length));
      seen.push(i);
      expect(label).toBe(fashion.labels[i]);
      expect((await sharp(bytes).metadata()).channels).toBe(1);
      const data = await sharp(bytes).extractChannel(0).raw().toBuffer();
      expect(Array.from(data)).toEqual(Array.from(fashion.images.subarray(i * 784, (i + 1) * 784)));
    }
    expect(seen).toEqual([1, 3, 5]);
    expect(() => datasetSource(fashion, { limit: 0 })).toThrow(
      /`limit` must be a positive integer/,
    );
  });
});

describe('a saved and loaded model', () => {
  it('is tested by every protocol exactly as the model it was saved from', async () => {
    const built = tinyModel('small');
    let saved: tf.io.ModelArtifacts | undefined;
    await built.model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await loadModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const pngs = await Promise.all([randomPng(100, 90, 21), randomPng(90, 100, 22)]);
    const protocols = [
      (m: BuiltModel | tf.LayersModel) => center(m, { resize: 88, crop, preprocess }),
      (m: BuiltModel | tf.LayersModel) => tenView(m, { resize: 88, crop, preprocess }),
      (m: BuiltModel | tf.LayersModel) => dense(m, { scale: 96, crop, preprocess }),
      (m: BuiltModel | tf.LayersModel) => multiScale(m, { scales: [88, 104], crop, preprocess }),
    ];
    for (const make of protocols) {
      const [a, b] = [await make(built).score(pngs), await make(loaded).score(pngs)];
      for (const [i, scores] of a.entries()) expect(Array.from(b[i])).toEqual(Array.from(scores));
    }
    built.model.dispose();
    loaded.dispose();
  });
});
