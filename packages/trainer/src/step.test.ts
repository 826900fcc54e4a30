import { buildModel } from '@rectifier/architectures';
import { expectAllClose, expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { TrainerArgumentError } from './errors';
import { modelParts, stepGradients } from './step';
import { tinyNet } from './testing/tinyNet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function batch(n: number, side = 8) {
  const images = tf.randomNormal([n, side, side, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 3),
    'int32',
  );
  return { images, labels };
}

/** The 'small' net at 1/32 width, 3 classes and an 8-unit head, always from seed 1. */
function smallNet(options: { softmax?: boolean }) {
  return buildModel('small', {
    widthMultiplier: 1 / 32,
    fcUnits: 8,
    numClasses: 3,
    seed: 1,
    ...options,
  });
}

function values(grads: Record<string, tf.Tensor>) {
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync()]));
}

describe('stepGradients', () => {
  test('split (head on the batch, then the trunk from dL/dfeatures) = fused, dropout included', async () => {
    const net = tinyNet();
    const parts = modelParts(net);
    const { images, labels } = batch(6);
    await expectNoLeak(async () => {
      const fused = await stepGradients(parts, images, labels, { dropoutSeed: 7 });
      const split = await stepGradients(parts, images, labels, { dropoutSeed: 7, split: true });
      expect(Object.keys(split.grads).sort()).toEqual(Object.keys(fused.grads).sort());
      expect(split.loss).toBeCloseTo(fused.loss, 6);
      const f = values(fused.grads);
      const s = values(split.grads);
      // Same ops, same masks; only the chain rule is cut at the features: rounding only.
      for (const k of Object.keys(f)) expectAllClose(s[k], f[k], { rtol: 1e-5, atol: 1e-7 });
      tf.dispose([...Object.values(fused.grads), ...Object.values(split.grads)]);
    });
    tf.dispose([images, labels]);
    net.model.dispose();
  });

  test('accumulate: k sub-batches sum to the full batch gradient', async () => {
    const net = tinyNet({ dropout: 0 });
    const parts = modelParts(net);
    const { images, labels } = batch(8);
    const full = await stepGradients(parts, images, labels);
    const acc = await stepGradients(parts, images, labels, { accumulate: 4 });
    expect(acc.loss).toBeCloseTo(full.loss, 6);
    expect(acc.count).toBe(8);
    const f = values(full.grads);
    const a = values(acc.grads);
    for (const k of Object.keys(f)) expectAllClose(a[k], f[k], { rtol: 1e-5, atol: 1e-7 });
    tf.dispose([images, labels, ...Object.values(full.grads), ...Object.values(acc.grads)]);
    net.model.dispose();
  });

  test('dropout is active only in training, and its mask follows the seed', async () => {
    const net = tinyNet({ dropout: 0.5 });
    const parts = modelParts(net);
    const { images, labels } = batch(4);
    const a = await stepGradients(parts, images, labels, { dropoutSeed: 11 });
    const b = await stepGradients(parts, images, labels, { dropoutSeed: 11 });
    const c = await stepGradients(parts, images, labels, { dropoutSeed: 12 });
    expect(a.loss).toBe(b.loss);
    expect(c.loss).not.toBe(a.loss);
    const x = net.model.predict(images) as tf.Tensor;
    const y = net.model.predict(images) as tf.Tensor;
    expect(Array.from(x.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([images, labels, x, y, ...[a, b, c].flatMap((r) => Object.values(r.grads))]);
    net.model.dispose();
  });

  test("architectures' SeededDropout: the mask depends on the step's seed, not on how many calls came before", async () => {
    const built = smallNet({ softmax: false });
    expect(built.head.layers.map((l) => l.getClassName())).toContain('RectifierDropout');
    const parts = modelParts(built);
    const images = tf.randomNormal([2, 112, 112, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 2], 'int32');
    const first = await stepGradients(parts, images, labels, { dropoutSeed: 21 });
    const other = await stepGradients(parts, images, labels, { dropoutSeed: 22 });
    const again = await stepGradients(parts, images, labels, { dropoutSeed: 21 }); // a resumed run's call
    expect(again.loss).toBe(first.loss);
    expect(other.loss).not.toBe(first.loss);
    tf.dispose([images, labels, ...[first, other, again].flatMap((r) => Object.values(r.grads))]);
    built.model.dispose();
  });

  test('a model ending in softmax is refused: the loss needs logits', () => {
    const built = smallNet({});
    expect(() => modelParts(built)).toThrow(TrainerArgumentError);
    expect(() => modelParts(built)).toThrow(/softmax: false/);
    built.model.dispose();
    const logits = smallNet({ softmax: false });
    const parts = modelParts(logits);
    expect(parts.trunkWeights.length).toBeGreaterThan(0);
    expect(parts.headWeights.map((w) => w.kind)).toContain('slope');
    logits.model.dispose();
  });
});
