import { describe, expect, it } from 'vitest';
import { createRng, createRngFactory, permutation } from './createRng';
import { RectifierArgumentError } from './errors';

describe('createRng', () => {
  it('replays the same stream for the same keys, another for other keys', () => {
    const draw = (...k: number[]) => {
      const r = createRng(...k);
      return Array.from({ length: 8 }, () => r.next());
    };
    expect(draw(0, 1, 2)).toEqual(draw(0, 1, 2));
    expect(draw(0, 1, 2)).not.toEqual(draw(0, 2, 1));
    expect(draw(0)).not.toEqual(draw(1));
    expect(draw(2 ** 32)).not.toEqual(draw(0)); // the high word counts
  });

  it('next() is uniform in [0, 1): chi-square over 256 buckets under its 1e-9 bound', () => {
    const r = createRng(42);
    const n = 65536;
    const buckets = new Array<number>(256).fill(0);
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      buckets[Math.floor(u * 256)]++;
    }
    const stat = buckets.reduce((s, b) => s + (b - n / 256) ** 2 / (n / 256), 0);
    const c = 2 / (9 * 255); // Wilson–Hilferty, z = 6 (see deriveSeed.test.ts)
    expect(stat).toBeLessThan(255 * (1 - c + 6 * Math.sqrt(c)) ** 3);
  });

  it('int() covers [lo, hi] inclusive; normal() has mean 0 and variance 1', () => {
    const r = createRng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.int(-2, 2));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    const mean = sum / n;
    // 6 standard errors: 1/√n for the mean, √(2/n) for the variance.
    expect(Math.abs(mean)).toBeLessThan(6 / Math.sqrt(n));
    expect(Math.abs(sq / n - mean ** 2 - 1)).toBeLessThan(6 * Math.sqrt(2 / n));
  });

  it('rejects fractional keys', () => {
    expect(() => createRng(1, 0.5)).toThrow(RectifierArgumentError);
    expect(() => createRng(1, 0.5)).toThrow(
      'createRng takes integer keys (seed, epoch, index…). Received: keys[1]=0.5',
    );
  });

  it("createRngFactory: the same streams, the caller's error class", () => {
    class DataArgumentError extends RectifierArgumentError {}
    const own = createRngFactory(DataArgumentError);
    const a = own(5, 6);
    const b = createRng(5, 6);
    expect(Array.from({ length: 4 }, () => a.next())).toEqual(
      Array.from({ length: 4 }, () => b.next()),
    );
    expect(() => own(0.5)).toThrow(DataArgumentError);
  });

  it('permutation() is a permutation, the same one for the same rng', () => {
    const p = permutation(1000, createRng(3));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).toEqual(permutation(1000, createRng(3)));
    expect(p).not.toEqual(permutation(1000, createRng(4)));
  });
});
