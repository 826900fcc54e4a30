import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { gaussian, InitializerArgumentError, xavier } from './index';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

function sampleStd(t: tf.Tensor): number {
  return tf.tidy(() => Math.sqrt(tf.moments(t).variance.dataSync()[0]));
}

describe('xavier', () => {
  const shape = [3, 3, 64, 128]; // fanIn 576, fanOut 1152
  test.each([
    ['fanIn', Math.sqrt(1 / 576)],
    ['fanOut', Math.sqrt(1 / 1152)],
    ['average', Math.sqrt(2 / (576 + 1152))],
  ] as const)('%s: std %s (sample within 1%%)', (mode, expected) => {
    const init = xavier({ mode, seed: 11 });
    expect(init.stddev(shape)).toBeCloseTo(expected, 12);
    tf.tidy(() => {
      expect(Math.abs(sampleStd(init.apply(shape)) / expected - 1)).toBeLessThan(0.01);
    });
  });

  test("the paper's form is MSRA with the factor 2 dropped: std ratio 1/√2", () => {
    expect(xavier().stddev([3, 3, 64, 64]) * Math.SQRT2).toBeCloseTo(Math.sqrt(2 / 576), 12);
  });

  test('uniform variant keeps the std', () => {
    tf.tidy(() => {
      const t = xavier({ mode: 'average', distribution: 'uniform', seed: 2 }).apply([512, 256]);
      expect(Math.abs(sampleStd(t) / Math.sqrt(2 / 768) - 1)).toBeLessThan(0.01);
    });
  });

  test('rejects an unknown mode', () => {
    expect(() => xavier({ mode: 'fanAvg' as 'average' })).toThrow(InitializerArgumentError);
  });
});

describe('gaussian', () => {
  test.each([0.01, 0.001])('std %s whatever the shape (Sec. 2.2 fc layers)', (stddev) => {
    tf.tidy(() => {
      const t = gaussian({ stddev, seed: 4 }).apply([1024, 512]);
      expect(Math.abs(sampleStd(t) / stddev - 1)).toBeLessThan(0.01);
    });
  });

  test('requires a finite, non-negative stddev', () => {
    expect(() => gaussian({ stddev: -1 })).toThrow(/stddev=-1/);
    expect(() => gaussian({} as { stddev: number })).toThrow(/stddev=undefined/);
  });
});
