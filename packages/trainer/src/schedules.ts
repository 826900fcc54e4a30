import { TrainerArgumentError } from './errors';
import { checkKeys, checkNumber } from './options';

/** Serialisable schedule state (part of every checkpoint). */
export type ScheduleState = Record<string, number>;

/**
 * A learning-rate schedule: a factor on the optimizer's base rate, read before each step;
 * told the end of each epoch (with the validation top-1 error when there is one).
 */
export interface Schedule {
  /** `step`, `plateau` or `constant`; with `config`, enough to rebuild it. */
  readonly kind: string;
  readonly config: Record<string, unknown>;
  /**
   * Factor on the base learning rate for a step at `epoch`: the (0-based) epoch plus the share
   * of it already trained (epoch 2's 3rd of 10 steps is 2.2), so a schedule may switch mid-epoch.
   */
  factor(epoch: number): number;
  /** Called after epoch `epoch` finished, with its validation top-1 error if measured. */
  epochEnd(epoch: number, valError: number | undefined): void;
  getState(): ScheduleState;
  setState(state: ScheduleState): void;
}

/** A constant learning rate (factor 1). */
export function constantSchedule(): Schedule {
  return {
    kind: 'constant',
    config: {},
    factor: () => 1,
    epochEnd: () => {},
    getState: () => ({}),
    setState: () => {},
  };
}

export interface StepScheduleOptions {
  /**
   * Epochs trained (a count; fractions allowed: 1.5 is half-way through the second epoch) at
   * which the rate is multiplied by `factor`; Fig. 4 switched at 20 and 65.
   */
  at: number[];
  /** Default 0.1 (1e-2 → 1e-3 → 1e-4, Sec. 3). */
  factor?: number;
}

/** factor^(number of switch points ≤ epoch): `stepSchedule({ at: [20, 65] })` is Fig. 4's schedule. */
export function stepSchedule(options: StepScheduleOptions): Schedule {
  checkKeys('stepSchedule', options, ['at', 'factor']);
  const { at } = options;
  if (
    !Array.isArray(at) ||
    at.length === 0 ||
    at.some(
      (e, i) => typeof e !== 'number' || !Number.isFinite(e) || e <= 0 || (i > 0 && e <= at[i - 1]),
    )
  ) {
    throw new TrainerArgumentError(
      `stepSchedule: \`at\` must be a non-empty increasing list of positive epoch counts, e.g. [20, 65] or [1.5, 2.4]. Received: at=${JSON.stringify(at)}`,
    );
  }
  const factor = checkNumber(
    'stepSchedule',
    'factor',
    options.factor ?? 0.1,
    'a number in (0, 1]',
    (v) => v > 0 && v <= 1,
  );
  return {
    kind: 'step',
    config: { at: [...at], factor },
    factor: (epoch) => factor ** at.filter((e) => e <= epoch).length,
    epochEnd: () => {},
    getState: () => ({}),
    setState: () => {},
  };
}

export interface PlateauScheduleOptions {
  /** Epochs without improvement of the validation error before the rate drops. */
  patience: number;
  /** Default 0.1. */
  factor?: number;
  /**
   * The lowest learning rate, ABSOLUTE (e.g. 1e-4: Sec. 3's rates are 1e-2, 1e-3 and 1e-4).
   * Needs `learningRate`, since a schedule returns factors on the optimizer's base rate. Default:
   * two drops below the base rate (`learningRate` / 100; a factor of 0.01 without it).
   */
  min?: number;
  /**
   * The optimizer's base learning rate — the same number as `sgdCaffe({ learningRate })` — so
   * that `min` can be held as the factor `min / learningRate`. Required with `min`.
   */
  learningRate?: number;
  /** An improvement must lower the error by more than this (absolute). Default 0. */
  threshold?: number;
}

/** The default floor without `min`: two ÷10 drops, Sec. 3's 1e-2 → 1e-3 → 1e-4. */
const DEFAULT_FLOOR_FACTOR = 0.01;

/**
 * Divides the rate by 1/`factor` when the validation top-1 error has not improved for
 * `patience` epochs ("switched when the error plateaus", Sec. 3), never below the learning rate
 * `min`: `plateauSchedule({ patience: 3, min: 1e-4, learningRate: 1e-2 })` gives 1e-2 → 1e-3 →
 * 1e-4 and stays there. Needs a `valLoader`; epochs without a validation error leave it
 * unchanged. The state (part of every checkpoint) is `{ current, best, bad }`, `current` the
 * factor on the base rate, as before `min` became absolute: older checkpoints restore.
 */
export function plateauSchedule(options: PlateauScheduleOptions): Schedule {
  checkKeys('plateauSchedule', options, ['patience', 'factor', 'min', 'learningRate', 'threshold']);
  const what = 'plateauSchedule';
  const patience = checkNumber(
    what,
    'patience',
    options.patience,
    'a positive integer',
    (v) => Number.isInteger(v) && v > 0,
  );
  const factor = checkNumber(
    what,
    'factor',
    options.factor ?? 0.1,
    'a number in (0, 1)',
    (v) => v > 0 && v < 1,
  );
  const learningRate =
    options.learningRate === undefined
      ? null
      : checkNumber(
          what,
          'learningRate',
          options.learningRate,
          "a positive number (the optimizer's base rate)",
          (v) => v > 0,
        );
  let min: number | null = null;
  if (options.min !== undefined) {
    if (learningRate === null) {
      throw new TrainerArgumentError(
        `${what}: \`min\` is the lowest learning rate, absolute (Sec. 3: 1e-4), and a schedule ` +
          "returns factors on the optimizer's base rate: pass that rate as `learningRate` too, e.g. " +
          `plateauSchedule({ patience: 3, min: 1e-4, learningRate: 1e-2 }). Received: min=${String(options.min)}, learningRate=undefined`,
      );
    }
    min = checkNumber(
      what,
      'min',
      options.min,
      `a positive learning rate no higher than learningRate=${learningRate}`,
      (v) => v > 0 && v <= learningRate,
    );
  } else if (learningRate !== null) {
    min = learningRate * DEFAULT_FLOOR_FACTOR;
  }
  const floor = min === null || learningRate === null ? DEFAULT_FLOOR_FACTOR : min / learningRate;
  const threshold = checkNumber(
    what,
    'threshold',
    options.threshold ?? 0,
    'a non-negative number',
    (v) => v >= 0,
  );
  let state = { current: 1, best: Number.POSITIVE_INFINITY, bad: 0 };
  return {
    kind: 'plateau',
    config: { patience, factor, min, learningRate, threshold },
    factor: () => state.current,
    epochEnd(_epoch, valError) {
      if (valError === undefined) return;
      if (valError < state.best - threshold) {
        state.best = valError;
        state.bad = 0;
        return;
      }
      state.bad++;
      if (state.bad >= patience) {
        state.current = Math.max(floor, state.current * factor);
        state.bad = 0;
      }
    },
    // JSON cannot hold Infinity: "no best yet" is stored as -1.
    getState: () => ({
      current: state.current,
      best: Number.isFinite(state.best) ? state.best : -1,
      bad: state.bad,
    }),
    setState(s) {
      for (const key of ['current', 'best', 'bad'] as const) {
        if (typeof s?.[key] !== 'number' || !Number.isFinite(s[key])) {
          throw new TrainerArgumentError(
            `${what}: a saved schedule state needs finite numbers current, best and bad. Received: ${JSON.stringify(s)}`,
          );
        }
      }
      state = {
        // A state saved when `min` was read as a factor may sit below this floor: hold it.
        current: Math.max(floor, s.current),
        best: s.best < 0 ? Number.POSITIVE_INFINITY : s.best,
        bad: s.bad,
      };
    },
  };
}
