import { describe, expect, test } from 'vitest';
import { TrainerArgumentError } from './errors';
import { constantSchedule, plateauSchedule, stepSchedule } from './schedules';

describe('schedules', () => {
  test('step: Fig. 4 switches at epochs 20 and 65 (1e-2 → 1e-3 → 1e-4)', () => {
    const s = stepSchedule({ at: [20, 65] });
    expect([0, 19, 20, 64, 65, 79].map((e) => 0.01 * s.factor(e))).toEqual([
      0.01,
      0.01,
      0.01 * 0.1,
      0.01 * 0.1,
      0.01 * 0.1 ** 2,
      0.01 * 0.1 ** 2,
    ]);
  });

  test('constant', () => {
    expect(constantSchedule().factor(100)).toBe(1);
  });

  test('plateau: drops after `patience` epochs without improvement, not below min; state round-trips', () => {
    const s = plateauSchedule({ patience: 2, factor: 0.1, min: 0.01 });
    const errors = [0.5, 0.4, 0.41, 0.4, 0.39, 0.39, 0.39, 0.39, 0.39, 0.39];
    const factors: number[] = [];
    errors.forEach((e, epoch) => {
      s.epochEnd(epoch, e);
      factors.push(s.factor(epoch + 1));
    });
    // Bad epochs: 2 (0.41), 3 (0.4 = not better than 0.4) → drop; 5, 6 → drop; 7, 8 → at min.
    // 0.1·0.1 is 0.010000000000000002 in doubles: compare to 12 digits.
    expect(factors.map((f) => Number(f.toPrecision(12)))).toEqual([
      1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01,
    ]);
    const copy = plateauSchedule({ patience: 2, factor: 0.1, min: 0.01 });
    copy.setState(JSON.parse(JSON.stringify(s.getState())));
    expect(copy.getState()).toEqual(s.getState());
    const fresh = plateauSchedule({ patience: 2 });
    fresh.setState(JSON.parse(JSON.stringify(fresh.getState()))); // "no best yet" survives JSON
    fresh.epochEnd(0, 0.9);
    expect(fresh.getState().best).toBe(0.9);
  });

  test('bad options are typed errors', () => {
    expect(() => stepSchedule({ at: [65, 20] })).toThrow(/increasing.*\[65,20\]/);
    expect(() => stepSchedule({ at: [20], factr: 0.1 } as never)).toThrow(/did you mean `factor`/);
    expect(() => plateauSchedule({ patience: 0 })).toThrow(TrainerArgumentError);
  });
});
