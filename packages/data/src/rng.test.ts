import { describe, expect, it } from 'vitest';
import { DataArgumentError } from './errors';
import { createLoader, epochOrder } from './loader';
import { createRng } from './rng';

const draws = (...keys: number[]) => {
  const rng = createRng(...keys);
  return Array.from({ length: 8 }, () => rng.next());
};

describe('seeds: every integer, 0 included, names one reproducible stream', () => {
  it('createRng: 0, negatives and large keys reproduce and differ from each other', () => {
    const keys = [0, 1, -1, 2 ** 31, 2 ** 32, -(2 ** 40), Number.MAX_SAFE_INTEGER];
    for (const k of keys) expect(draws(k, 0, 0)).toEqual(draws(k, 0, 0));
    expect(new Set(keys.map((k) => draws(k).join())).size).toBe(keys.length);
  });

  it('epochOrder with seed 0 (the default) reproduces, and seed 1 differs', () => {
    expect(Array.from(epochOrder(50, 0, { seed: 0 }))).toEqual(Array.from(epochOrder(50, 0)));
    expect(Array.from(epochOrder(50, 0, { seed: 0 }))).not.toEqual(
      Array.from(epochOrder(50, 0, { seed: 1 })),
    );
  });

  it('fractional or non-number seeds are rejected (0.5 used to alias seed 0)', () => {
    expect(() => createRng(0.5)).toThrow(DataArgumentError);
    expect(() => createRng(1, Number.NaN)).toThrow(/keys\[1\]=NaN/);
    expect(() => epochOrder(5, 0, { seed: 0.5 })).toThrow(/seed=0\.5/);
    const load = async () => ({ data: new Float32Array(1), height: 1, width: 1, channels: 1 });
    expect(() =>
      createLoader({ size: 4, batchSize: 1, load, label: () => 0, seed: '3' as unknown as number }),
    ).toThrow(/seed="3" \(a string\)/);
  });
});
