import { describe, expect, test } from 'vitest';
import { maxRelativeError } from './close';
import { normalArray, uniform } from './random';

describe('seeded data', () => {
  test('the same seed gives the same numbers, another seed others', () => {
    expect(Array.from(normalArray(8, 7))).toEqual(Array.from(normalArray(8, 7)));
    expect(normalArray(8, 8)[0]).not.toBe(normalArray(8, 7)[0]);
  });

  test('normal samples have mean 0 and std 1 within sampling error', () => {
    const n = 200_000;
    const xs = normalArray(n, 1);
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
  });

  test('uniform stays in [0, 1)', () => {
    const next = uniform(3);
    for (let i = 0; i < 10_000; i++) {
      const u = next();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  test('relative error is measured against the reference scale', () => {
    expect(maxRelativeError([1, 2.001], [1, 2])).toBeCloseTo(0.0005, 8);
    expect(maxRelativeError([Number.NaN], [1])).toBe(Number.POSITIVE_INFINITY);
  });
});
