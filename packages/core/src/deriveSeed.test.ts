import { describe, expect, it } from 'vitest';
import { deriveSeed, seedPurposes } from './deriveSeed';
import { RectifierArgumentError } from './errors';

/**
 * Pearson's chi-square of `values` (uint32) over 256 buckets of 8 bits starting at bit `shift`,
 * and the bound it stays under with probability 1 − 1e-9 for uniform values: the Wilson–Hilferty
 * normal approximation of the chi-square quantile, (χ²/k)^(1/3) ≈ N(1 − 2/(9k), 2/(9k)), at
 * z = 6 with k = 255 degrees of freedom.
 */
function chiSquare(values: readonly number[], shift: number): { stat: number; bound: number } {
  const buckets = new Array<number>(256).fill(0);
  for (const v of values) buckets[(v >>> shift) & 255]++;
  const expected = values.length / 256;
  const stat = buckets.reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
  const k = 255;
  const c = 2 / (9 * k);
  return { stat, bound: k * (1 - c + 6 * Math.sqrt(c)) ** 3 };
}

const popcount = (x: number) => {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
};

describe('deriveSeed', () => {
  it('is deterministic, a uint32, and takes seed 0 and negative seeds', () => {
    for (const seed of [0, 1, -1, 2 ** 40, -(2 ** 53 - 1)]) {
      const a = deriveSeed(seed, 'init', 3);
      expect(a).toBe(deriveSeed(seed, 'init', 3));
      expect(Number.isInteger(a) && a >= 0 && a < 2 ** 32).toBe(true);
    }
    expect(deriveSeed(0, 'init', 0)).not.toBe(deriveSeed(1, 'init', 0));
    expect(deriveSeed(0, 'dropout')).not.toBe(deriveSeed(0, 'dropout', 0));
  });

  it('gives no collisions over a grid of seeds × purposes × indices', () => {
    // 64 · 6 · (1 + 50 + 2·10) = 27,264 values; a uint32 hash expects 27,264² / 2³³ ≈ 0.09 collisions
    // by chance, so one would point at structure (as `seed + index` has: (1, 0) = (0, 1)).
    const seen = new Map<number, string>();
    for (let seed = -4; seed < 60; seed++) {
      for (const purpose of seedPurposes) {
        const tuples: number[][] = [[]];
        for (let i = 0; i < 50; i++) tuples.push([i]);
        for (let i = 0; i < 10; i++) tuples.push([i, 0], [0, i + 1]);
        for (const t of tuples) {
          const key = `${seed}/${purpose}/${t.join(',')}`;
          const v = deriveSeed(seed, purpose, ...t);
          expect(seen.get(v), `${key} collides`).toBeUndefined();
          seen.set(v, key);
        }
      }
    }
    expect(seen.size).toBe(64 * 6 * 71);
  });

  it('is uniform over indices and over seeds (chi-square, low and high bits)', () => {
    const overIndices = Array.from({ length: 65536 }, (_, i) => deriveSeed(0, 'init', i));
    const overSeeds = Array.from({ length: 65536 }, (_, s) => deriveSeed(s, 'shuffle', 7));
    for (const values of [overIndices, overSeeds]) {
      for (const shift of [0, 24]) {
        const { stat, bound } = chiSquare(values, shift);
        expect(stat).toBeLessThan(bound);
      }
    }
  });

  it('neighbouring seeds give unrelated streams (half the bits flip on average)', () => {
    // Each of 32 bits flips with p = 1/2: mean 16, sd of the mean over 4096 pairs = √8/64 ≈ 0.044.
    let flips = 0;
    for (let s = 0; s < 4096; s++)
      flips += popcount(deriveSeed(s, 'init', 0) ^ deriveSeed(s + 1, 'init', 0));
    expect(Math.abs(flips / 4096 - 16)).toBeLessThan(0.5);
  });

  it('rejects fractional keys and unknown purposes, naming the closest purpose', () => {
    expect(() => deriveSeed(0.5, 'init')).toThrow(RectifierArgumentError);
    expect(() => deriveSeed(1, 'init', 1.5)).toThrow(
      'deriveSeed takes integer keys (|key| ≤ 2^53 − 1). Received: indices[0]=1.5',
    );
    expect(() => deriveSeed(1, 'dropuot' as never)).toThrow(/Did you mean 'dropout'\?/);
  });
});
