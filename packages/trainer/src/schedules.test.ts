import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { TrainerArgumentError, TrainingInterruptedError } from './errors';
import { resume, train } from './run';
import { readRunDirectory } from './runDirectory';
import { constantSchedule, plateauSchedule, stepSchedule } from './schedules';
import { tempRunDirs } from './testing/tempRunDirs';
import { tinyRunOptions } from './testing/tinyRun';

const { dir } = tempRunDirs('rectifier-schedules-');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

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

  test('step: a point between epochs switches at that share of the epoch', () => {
    const s = stepSchedule({ at: [1.5, 2.4] });
    expect([0, 1.49, 1.5, 2.39, 2.4].map((e) => s.factor(e))).toEqual([1, 1, 0.1, 0.1, 0.1 ** 2]);
    expect(() => stepSchedule({ at: [0.5, Number.NaN] })).toThrow(/positive epoch counts/);
  });

  test('step in train: at 1.5 of 6-step epochs, steps 1–9 at the base rate, 10 on ÷10; resume agrees', async () => {
    // A fresh net each time: train changes the weights of the model it is given.
    const options = () =>
      tinyRunOptions({ schedule: stepSchedule({ at: [1.5] }), valLoader: undefined });
    const lrs = (runDir: string) =>
      readRunDirectory(runDir).metrics.flatMap((m) => (m.type === 'step' ? [m.lr] : []));
    const whole = dir();
    await train({ ...options(), runDir: whole });
    expect(lrs(whole)).toEqual([...Array(9).fill(0.05), ...Array(9).fill(0.05 * 0.1)]);
    // Stopped at step 8, before the switch: the resumed session switches at the same step.
    const cut = dir();
    const controller = new AbortController();
    const hooks = { afterStep: (step: number) => step === 8 && controller.abort() };
    const stopped = await train({
      ...options(),
      hooks,
      signal: controller.signal,
      runDir: cut,
    }).catch((e) => e);
    expect(stopped).toBeInstanceOf(TrainingInterruptedError);
    const resumed = await resume(cut, options());
    expect(lrs(cut)).toEqual(lrs(whole));
    expect(resumed.weightsSha256).toBe(readRunDirectory(whole).summary?.weightsSha256);
  });

  test('constant', () => {
    expect(constantSchedule().factor(100)).toBe(1);
  });

  test('plateau: drops after `patience` epochs without improvement, not below min; state round-trips', () => {
    const s = plateauSchedule({ patience: 2, factor: 0.1, min: 1e-4, learningRate: 1e-2 });
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
    const copy = plateauSchedule({ patience: 2, factor: 0.1, min: 1e-4, learningRate: 1e-2 });
    copy.setState(JSON.parse(JSON.stringify(s.getState())));
    expect(copy.getState()).toEqual(s.getState());
    const fresh = plateauSchedule({ patience: 2 });
    fresh.setState(JSON.parse(JSON.stringify(fresh.getState()))); // "no best yet" survives JSON
    fresh.epochEnd(0, 0.9);
    expect(fresh.getState().best).toBe(0.9);
  });

  test('plateau: `min` is the lowest learning rate, absolute: 1e-2 → 1e-3 → 1e-4, then no lower', () => {
    // Sec. 3: "The learning rate is 1e-2, 1e-3, and 1e-4, and is switched when the error plateaus."
    const s = plateauSchedule({ patience: 1, factor: 0.1, min: 1e-4, learningRate: 1e-2 });
    const rates: number[] = [];
    for (let epoch = 0; epoch < 8; epoch++) {
      s.epochEnd(epoch, 0.5); // never improves after the first epoch: a drop every epoch
      rates.push(Number((1e-2 * s.factor(epoch + 1)).toPrecision(12)));
    }
    expect(rates).toEqual([1e-2, 1e-3, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4]);
    expect(s.config).toEqual({
      patience: 1,
      factor: 0.1,
      min: 1e-4,
      learningRate: 1e-2,
      threshold: 0,
    });
    // Another base rate, the same floor: 5e-3 → 5e-4 → 1e-4 (clamped), not 5e-5.
    const t = plateauSchedule({ patience: 1, min: 1e-4, learningRate: 5e-3 });
    const tRates = [0, 1, 2, 3].map((e) => {
      t.epochEnd(e, 0.5);
      return Number((5e-3 * t.factor(e + 1)).toPrecision(12));
    });
    expect(tRates).toEqual([5e-3, 5e-4, 1e-4, 1e-4]);
    // Without `min`: two drops below the base rate, as before.
    const d = plateauSchedule({ patience: 1, learningRate: 1e-2 });
    for (let e = 0; e < 6; e++) d.epochEnd(e, 0.5);
    expect(1e-2 * d.factor(6)).toBeCloseTo(1e-4, 15);
  });

  test('plateau: a checkpoint state from before restores; one below the floor is held at it', () => {
    // The state format ({ current, best, bad }, current a factor) did not change.
    const s = plateauSchedule({ patience: 3, min: 1e-4, learningRate: 1e-2 });
    s.setState({ current: 0.1, best: 0.42, bad: 2 });
    expect(s.getState()).toEqual({ current: 0.1, best: 0.42, bad: 2 });
    // A run saved when min was a factor (1e-4 · 1e-2 = 1e-6) resumes at the real floor, 1e-4.
    s.setState({ current: 1e-4, best: 0.4, bad: 0 });
    expect(1e-2 * s.factor(0)).toBeCloseTo(1e-4, 15);
    expect(() => s.setState({ current: 1 } as never)).toThrow(/current, best and bad/);
  });

  test('bad options are typed errors', () => {
    expect(() => plateauSchedule({ patience: 3, min: 1e-4 })).toThrow(
      /`min` is the lowest learning rate, absolute.*pass that rate as `learningRate`/,
    );
    expect(() => plateauSchedule({ patience: 3, min: 1e-1, learningRate: 1e-2 })).toThrow(
      /`min` must be a positive learning rate no higher than learningRate=0.01. Received: min=0.1/,
    );
    expect(() => plateauSchedule({ patience: 3, learningRate: 0 })).toThrow(TrainerArgumentError);
    expect(() => plateauSchedule({ patience: 3, learningrate: 1e-2 } as never)).toThrow(
      /did you mean `learningRate`/,
    );
    expect(() => stepSchedule({ at: [65, 20] })).toThrow(/increasing.*\[65,20\]/);
    expect(() => stepSchedule({ at: [20], factr: 0.1 } as never)).toThrow(/did you mean `factor`/);
    expect(() => plateauSchedule({ patience: 0 })).toThrow(TrainerArgumentError);
  });
});
