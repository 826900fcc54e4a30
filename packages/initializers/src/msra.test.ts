import { selectBackend } from '@rectifier/backend';
import { expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import fixture from './fixtures/kaiming.json';
import { computeFans, InitializerArgumentError, msra, msraStd } from './index';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

/** Sample std and the fraction of draws beyond 2σ (of the target std). */
function stats(t: tf.Tensor, target: number) {
  const v = t.dataSync();
  let s = 0;
  let s2 = 0;
  let tail = 0;
  let maxAbs = 0;
  for (const x of v) {
    s += x;
    s2 += x * x;
    if (Math.abs(x) > 2 * target) tail++;
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), tail: tail / v.length, maxAbs };
}

describe('msraStd', () => {
  test.each(fixture.cases)('$shape $mode a=$a matches torch kaiming_normal_', (c) => {
    const { fanIn, fanOut } = computeFans(c.shape);
    expect(c.mode === 'fanIn' ? fanIn : fanOut).toBe(c.fan);
    const std = msraStd(c.shape, { mode: c.mode as 'fanIn' | 'fanOut', slope: c.a });
    expect(Math.abs(std - c.std) / c.std).toBeLessThan(1e-5);
  });

  test("the paper's fan-out stds for 3×3 filters: d = 64, 128, 256, 512 → 0.059, 0.042, 0.029, 0.021 (Sec. 2.2)", () => {
    const stds = [64, 128, 256, 512].map((d) => msraStd([3, 3, d, d], { mode: 'fanOut' }));
    expect(stds.map((s) => Number(s.toFixed(3)))).toEqual([0.059, 0.042, 0.029, 0.021]);
  });

  test('validates its arguments and reports the value', () => {
    expect(() => msraStd([3, 3, 0, 4])).toThrow(InitializerArgumentError);
    expect(() => msraStd([3, 3, 0, 4])).toThrow(/shape=\[3, 3, 0, 4\]/);
    expect(() => msraStd([3, 4], { mode: 'fanAvg' as 'fanIn' })).toThrow(/mode="fanAvg"/);
    expect(() => msraStd([3, 4], { slope: Number.NaN })).toThrow(/slope=NaN/);
  });
});

describe('msra initializer', () => {
  // Fixture cases large enough for a 1% test (≥ 50 k draws: the sample std's own spread is
  // ~0.3%) and small enough to draw quickly (≤ 0.3 M).
  const drawn = fixture.cases.filter((c) => c.size >= 50_000 && c.size <= 300_000);

  test.each(drawn)(
    '$shape $mode a=$a: sample std within 1% of the formula, as torch’s own draw',
    async (c) => {
      await expectNoLeak(() =>
        tf.tidy(() => {
          const w = msra({ mode: c.mode as 'fanIn' | 'fanOut', slope: c.a, seed: 7 }).apply(
            c.shape,
          );
          expect(w.shape).toEqual(c.shape);
          const s = stats(w, c.std);
          expect(Math.abs(s.std / c.std - 1)).toBeLessThan(0.01);
          expect(Math.abs(c.sampleStd / c.std - 1)).toBeLessThan(0.01);
          expect(Math.abs(s.mean)).toBeLessThan(0.01 * c.std);
        }),
      );
    },
  );

  test('is a true Gaussian, not truncated: 4.55% of draws lie beyond 2σ; tfjs heNormal has none and std ≈ 0.88', () => {
    const shape = [3, 3, 256, 512]; // 1.18 M draws
    const std = msraStd(shape);
    tf.tidy(() => {
      const ours = stats(msra({ seed: 1 }).apply(shape), std);
      expect(Math.abs(ours.tail - 0.0455)).toBeLessThan(0.001);
      expect(ours.maxAbs).toBeGreaterThan(4 * std);
      const theirs = stats(tf.initializers.heNormal({ seed: 1 }).apply(shape), std);
      expect(theirs.tail).toBe(0);
      expect(theirs.std / std).toBeGreaterThan(0.87);
      expect(theirs.std / std).toBeLessThan(0.89);
    });
  });

  test('uniform variant: same std, bounded by √3·std', () => {
    const shape = [3, 3, 128, 256];
    const std = msraStd(shape, { mode: 'fanOut', slope: 0.25 });
    tf.tidy(() => {
      const s = stats(
        msra({ mode: 'fanOut', slope: 0.25, distribution: 'uniform', seed: 3 }).apply(shape),
        std,
      );
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.01);
      expect(s.maxAbs).toBeLessThanOrEqual(Math.sqrt(3) * std * (1 + 1e-6));
      expect(s.maxAbs).toBeGreaterThan(0.99 * Math.sqrt(3) * std);
    });
  });

  test('a seed makes draws repeatable; different seeds differ', () => {
    tf.tidy(() => {
      const a = msra({ seed: 5 }).apply([3, 3, 4, 8]).dataSync();
      const b = msra({ seed: 5 }).apply([3, 3, 4, 8]).dataSync();
      const c = msra({ seed: 6 }).apply([3, 3, 4, 8]).dataSync();
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
    });
  });

  test('rejects bad arguments with the value in the message', () => {
    expect(() => msra({ distribution: 'truncated' as 'normal' })).toThrow(
      /distribution="truncated"/,
    );
    expect(() => msra({ seed: Number.NaN })).toThrow(/seed=NaN/);
  });
});
