import type { BuiltModel } from '@rectifier/architectures';
import {
  centerCrop,
  compose,
  horizontalFlip,
  resizeShorter,
  tenCrop,
} from '@rectifier/augmentation';
import { registerWasmTrainingKernels } from '@rectifier/backend';
import { createRng } from '@rectifier/data';
import { expectAllClose, expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaleTooSmallError } from './errors';
import { featureMapSide } from './geometry';
import { center, dense, ensemble, multiScale, tenView } from './protocols';
import { preprocess, randomPng, tinyModel } from './testing/tinyModel';

// The small net at 1/16 width: a 112 crop gives the 8×8 window (CPU scale), 128 → 10×10 maps.
const crop = 112;
const resize = 128;
// Same float32 argument as denseHead.test.ts: different summation orders of the same products.
const tol = { rtol: 1e-4, atol: 2e-5 };

let built: BuiltModel;
let photo: Buffer; // 150×128: not square, so the corner crops all differ
beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  built = tinyModel('small');
  photo = await randomPng(150, 128, 1);
});
afterAll(() => built.model.dispose());

const pixels = async (t: tf.Tensor) => {
  const data = await t.data();
  t.dispose();
  return data;
};

/** The model's softmax on a batch of views, as plain numbers. */
const modelScores = (x: tf.Tensor4D) =>
  tf.tidy(() => (built.model.predict(x) as tf.Tensor2D).arraySync());

describe('views are exactly @rectifier/augmentation’s', () => {
  it('center: resizeShorter then centerCrop', async () => {
    const views = await center(built, { resize, crop }).views?.(photo);
    const expected = await compose(resizeShorter(resize), centerCrop(crop)).apply(
      photo,
      createRng(0),
    );
    expect(views?.shape).toEqual([1, crop, crop, 3]);
    expect(await pixels(views as tf.Tensor)).toEqual(expected.data);
  });

  it('tenView: resizeShorter then tenCrop, torchvision order', async () => {
    const views = (await tenView(built, { resize, crop }).views?.(photo)) as tf.Tensor4D;
    const expected = await compose(resizeShorter(resize), tenCrop(crop)).applyAll(
      photo,
      createRng(0),
    );
    expect(views.shape).toEqual([10, crop, crop, 3]);
    const all = await pixels(views);
    expected.forEach((img, i) => {
      expect(all.slice(i * img.data.length, (i + 1) * img.data.length)).toEqual(img.data);
    });
  });

  it('dense: the resized image, then its mirror (= horizontalFlip(1))', async () => {
    const views = (await dense(built, { scale: 140, crop }).views?.(photo)) as tf.Tensor4D;
    const plain = await compose(resizeShorter(140)).apply(photo, createRng(0));
    const mirrored = await compose(resizeShorter(140), horizontalFlip(1)).apply(
      photo,
      createRng(0),
    );
    expect(views.shape).toEqual([2, 140, 164, 3]);
    const all = await pixels(views);
    expect(all.slice(0, plain.data.length)).toEqual(plain.data);
    expect(all.slice(plain.data.length)).toEqual(mirrored.data);
  });
});

describe('protocol scores', () => {
  it('center = the model on the centre crop', async () => {
    const scorer = center(built, { resize, crop, preprocess });
    const [scores] = await expectNoLeak(() => scorer.score([photo]));
    const views = (await scorer.views?.(photo)) as tf.Tensor4D;
    expectAllClose(scores, modelScores(views)[0], tol);
    views.dispose();
  });

  it('tenView = mean of the ten views’ softmax; on a mirror-symmetric image, of the five unflipped', async () => {
    const symmetric = await randomPng(150, 128, 2, true);
    const scorer = tenView(built, { resize: 128, crop, preprocess });
    const [scores, again] = await expectNoLeak(() => scorer.score([symmetric, symmetric]));
    const views = (await scorer.views?.(symmetric)) as tf.Tensor4D;
    const per = modelScores(views);
    views.dispose();
    const meanOf = (rows: number[][]) =>
      rows[0].map((_, c) => rows.reduce((s, r) => s + r[c], 0) / rows.length);
    expectAllClose(scores, meanOf(per.slice(0, 5)), tol);
    expectAllClose(scores, meanOf(per), tol);
    expect(again).toEqual(scores);
    // The mirrored five are the unflipped five (symmetric image): the check is not vacuous.
    expectAllClose(per[5], per[0], tol);
    expect(Math.abs(per[0][0] - per[1][0])).toBeGreaterThan(1e-3);
  });

  it('dense at the crop size on a crop-sized image = the whole model (and its mirror)', async () => {
    const square = await randomPng(crop, crop, 3);
    const one = dense(built, { scale: crop, crop, preprocess, flip: false });
    const both = dense(built, { scale: crop, crop, preprocess });
    const [a] = await expectNoLeak(() => one.score([square]));
    const [b] = await expectNoLeak(() => both.score([square]));
    const views = (await both.views?.(square)) as tf.Tensor4D;
    const [plain, mirror] = modelScores(views);
    views.dispose();
    expectAllClose(a, plain, tol);
    expectAllClose(
      b,
      plain.map((p, c) => (p + mirror[c]) / 2),
      tol,
    );
    expect(Math.abs(plain[0] - mirror[0])).toBeGreaterThan(1e-3);
  });

  it('dense: one pass == batched windows on a whole image; multiScale and ensemble average', async () => {
    const options = { crop, preprocess };
    const [fast] = await expectNoLeak(() =>
      dense(built, { ...options, scale: 150 }).score([photo]),
    );
    const [slow] = await dense(built, { ...options, scale: 150, form: 'batched' }).score([photo]);
    expectAllClose(fast, slow, tol);
    const [d128] = await dense(built, { ...options, scale: 128 }).score([photo]);
    const [multi] = await expectNoLeak(() =>
      multiScale(built, { ...options, scales: [150, 128] }).score([photo]),
    );
    expectAllClose(
      multi,
      fast.map((v, c) => (v + d128[c]) / 2),
      tol,
    );
    const [c] = await center(built, { resize, crop, preprocess }).score([photo]);
    const [both] = await expectNoLeak(() =>
      ensemble([
        center(built, { resize, crop, preprocess }),
        dense(built, { ...options, scale: 150 }),
      ]).score([photo]),
    );
    expectAllClose(
      both,
      c.map((v, k) => (v + fast[k]) / 2),
      tol,
    );
    expect(fast.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('a broken image fails the call and leaves no tensor', async () => {
    const scorer = dense(built, { scale: resize, crop, preprocess });
    const junk = Buffer.from('not an image');
    const before = tf.memory().numTensors;
    await expect(scorer.score([photo, junk])).rejects.toThrow();
    await expect(scorer.score([junk, photo])).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('models that end in logits are scored by their softmax', async () => {
    const logits = tinyModel('small', { softmax: false });
    const [p] = await center(logits, { resize, crop, preprocess }).score([photo]);
    const [q] = await dense(logits, { scale: resize, crop, preprocess }).score([photo]);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(q.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(Math.min(...p, ...q)).toBeGreaterThan(0);
    logits.model.dispose();
  });
});

describe('checks before any work', () => {
  it('a scale whose map is smaller than one window names the smallest that works', () => {
    const window = featureMapSide(built.spec, crop);
    let error: unknown;
    try {
      dense(built, { scale: 90, crop });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScaleTooSmallError);
    const e = error as ScaleTooSmallError;
    expect(e.message).toMatch(/scale=90.*smaller than one 8×8 window\. Use scale ≥ \d+\./);
    expect(featureMapSide(built.spec, e.smallestScale)).toBeGreaterThanOrEqual(window);
    expect(featureMapSide(built.spec, e.smallestScale - 1)).toBeLessThan(window);
    expect(() => dense(built, { scale: e.smallestScale, crop })).not.toThrow();
    expect(() => multiScale(built, { scales: [128, 90], crop })).toThrow(ScaleTooSmallError);
  });

  it('unknown options name the closest valid key; bad values are echoed', () => {
    expect(() => dense(built, { scale: 128, flips: false } as never)).toThrow(
      /unknown option `flips` \(did you mean `flip`\?\)/,
    );
    expect(() => center(built, { crop: 224, resize: 128 })).toThrow(
      /crop`=224 is larger than `resize`=128/,
    );
    expect(() => tenView(built, { crop: 40, resize: 64 })).toThrow(/a 2×2 map.*Use crop ≥ 77\./);
    expect([featureMapSide(built.spec, 76), featureMapSide(built.spec, 77)]).toEqual([5, 6]);
    expect(() => dense(built, { scale: '256' as never })).toThrow(/scale="256" \(string\)/);
    expect(() => ensemble([])).toThrow(/non-empty array of scorers/);
  });
});
