import { registerWasmTrainingKernels } from '@rectifier/backend';
import { expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ArchitecturesArgumentError } from './errors';
import { buildModel } from './models';
import './register';
import { SeededDropout, seededDropout } from './seededDropout';

const tiny = { widthMultiplier: 1 / 32, fcUnits: 16, numClasses: 5, inputChannels: 1 } as const;

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

/** Every weight of a freshly built model, by name (the model is disposed). */
function weightsOf(seed: number): Map<string, number[]> {
  const { model } = buildModel('small', { ...tiny, seed });
  const out = new Map(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
  model.dispose();
  return out;
}

describe('buildModel seeds: every integer, 0 included, and every derived seed', () => {
  // Seed 0 gives layer 0 seed 0, and seed -3 gives layer 3 seed 0: tfjs's Gaussian reads 0 as
  // "no seed", so before the fix these kernels changed on every build.
  test.each([[0], [-3], [1], [-1]])('seed %d builds the same weights twice', (seed) => {
    const a = weightsOf(seed);
    const b = weightsOf(seed);
    expect(a.size).toBeGreaterThan(0);
    for (const [name, values] of a) expect(b.get(name), name).toEqual(values);
  });

  test('different base seeds give different kernels', () => {
    expect(weightsOf(0).get('conv1/kernel')).not.toEqual(weightsOf(1).get('conv1/kernel'));
  });

  test('non-integer and non-number seeds are rejected, naming the type', () => {
    expect(() => buildModel('small', { ...tiny, seed: 0.5 })).toThrow(ArchitecturesArgumentError);
    expect(() => buildModel('small', { ...tiny, seed: 0.5 })).toThrow(/seed=0\.5/);
    expect(() => buildModel('small', { ...tiny, seed: '1' as unknown as number })).toThrow(
      /seed="1" \(type string\)/,
    );
  });
});

describe('SeededDropout', () => {
  const x = () => tf.ones([4, 64]);
  const mask = (layer: SeededDropout) =>
    tf.tidy(() => Array.from((layer.apply(x(), { training: true }) as tf.Tensor).dataSync()));

  test('a seeded mask changes every training step (tfjs Dropout repeats it) and replays', async () => {
    const tfjs = tf.layers.dropout({ rate: 0.5, seed: 7 });
    const repeat = tf.tidy(() =>
      [1, 2].map(() => (tfjs.apply(x(), { training: true }) as tf.Tensor).dataSync().join()),
    );
    expect(repeat[0]).toBe(repeat[1]); // the defect this layer exists for

    for (const seed of [0, 7]) {
      const a = seededDropout({ rate: 0.5, seed });
      const b = seededDropout({ rate: 0.5, seed });
      const stepsA = await expectNoLeak(() => [mask(a), mask(a), mask(a)]);
      const stepsB = [mask(b), mask(b), mask(b)];
      expect(stepsB).toEqual(stepsA);
      expect(stepsA[1]).not.toEqual(stepsA[0]);
      expect(stepsA[2]).not.toEqual(stepsA[1]);
      expect(a.step).toBe(3);
      // Resuming at step 2 replays step 2's mask.
      const resumed = seededDropout({ rate: 0.5, seed });
      resumed.step = 2;
      expect(mask(resumed)).toEqual(stepsA[2]);
      // Kept units are scaled by 1/(1 − rate), the rest are 0.
      expect(new Set(stepsA[0])).toEqual(new Set([0, 2]));
    }
  });

  test('inference passes the input through and does not advance the step', () => {
    const d = seededDropout({ rate: 0.5, seed: 3 });
    tf.tidy(() => {
      expect(Array.from((d.apply(x()) as tf.Tensor).dataSync())).toEqual(new Array(256).fill(1));
    });
    expect(d.step).toBe(0);
  });

  test('serializes as RectifierDropout and round-trips its seed', () => {
    const d = seededDropout({ rate: 0.25, seed: 0 });
    const config = d.getConfig();
    expect(config).toMatchObject({ rate: 0.25, seed: 0 });
    expect(SeededDropout.className).toBe('RectifierDropout');
    const back = tf.serialization.SerializationMap.getMap().classNameMap.RectifierDropout;
    expect(back).toBeDefined();
  });
});
