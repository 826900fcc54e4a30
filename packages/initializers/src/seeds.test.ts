import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { gaussian, InitializerArgumentError, msra, propagation, tfjsSeed, xavier } from './index';

const shape = [3, 3, 4, 8];
const draw = (init: { apply: (s: number[]) => tf.Tensor }) =>
  tf.tidy(() => Array.from(init.apply(shape).dataSync()));

// tfjs's samplers read seed 0 as "unseeded" (`seed ? seed : Math.random()`): before the fix,
// seed 0 drew new numbers on every apply. Negative seeds and large ones are checked too, since a
// derived seed (base + layer index) can be any integer.
const seeds = [0, -1, 1, 7, -(2 ** 31), 2 ** 40, Number.MAX_SAFE_INTEGER];

describe('every integer seed, 0 included, reproduces', () => {
  const makers = {
    msra: (seed: number) => msra({ seed }),
    'msra uniform': (seed: number) => msra({ seed, distribution: 'uniform' }),
    xavier: (seed: number) => xavier({ seed }),
    gaussian: (seed: number) => gaussian({ stddev: 0.01, seed }),
    'gaussian uniform': (seed: number) => gaussian({ stddev: 0.01, seed, distribution: 'uniform' }),
  };
  for (const [name, make] of Object.entries(makers)) {
    test(`${name}: the same draw on every apply and from a second instance`, () => {
      for (const seed of seeds) {
        const init = make(seed);
        const first = draw(init);
        expect(draw(init), `seed ${seed}`).toEqual(first);
        expect(draw(make(seed)), `seed ${seed}`).toEqual(first);
      }
    });
  }

  test('distinct seeds give distinct draws (0 is not an alias of another seed)', () => {
    const draws = seeds.map((seed) => draw(msra({ seed })).join(','));
    expect(new Set(draws).size).toBe(seeds.length);
    // 0 is sent to tfjs as 0.5, which no integer seed prints as.
    expect(tfjsSeed(0)).toBe(0.5);
    expect(tfjsSeed(-1)).toBe(-1);
    expect(tfjsSeed(undefined)).toBeUndefined();
  });

  test('the default propagation seed gives identical reports on identical calls', async () => {
    const i = tf.input({ shape: [6] });
    const dense = tf.layers.dense({ units: 6, kernelInitializer: msra({ seed: 0 }) });
    const model = tf.model({ inputs: i, outputs: dense.apply(i) as tf.SymbolicTensor });
    const x = tf.randomNormal([16, 6], 0, 1, 'float32', 1);
    const a = await propagation(model, x);
    const b = await propagation(model, x);
    expect(b.layers[0].backwardVariance).toBe(a.layers[0].backwardVariance);
    expect((await propagation(model, x, { seed: 0 })).layers[0].backwardVariance).toBe(
      a.layers[0].backwardVariance,
    );
    x.dispose();
    model.dispose();
  });

  test('non-integer seeds are rejected, with their type when it is wrong', () => {
    expect(() => msra({ seed: 0.5 })).toThrow(InitializerArgumentError);
    expect(() => msra({ seed: 0.5 })).toThrow(/seed=0\.5/);
    expect(() => xavier({ seed: '3' as unknown as number })).toThrow(/seed="3" \(a string\)/);
    expect(() => gaussian({ stddev: 0.01, seed: 2 ** 53 })).toThrow(/must be an integer/);
    const i = tf.input({ shape: [2] });
    const model = tf.model({
      inputs: i,
      outputs: tf.layers.dense({ units: 2 }).apply(i) as tf.SymbolicTensor,
    });
    expect(() => propagation(model, tf.zeros([1, 2]), { seed: 1.5 })).toThrow(/seed=1\.5/);
    model.dispose();
  });
});
