import { expect } from 'vitest';

type Numbers = ArrayLike<number>;

/** max |a − b| / max(max |b|, floor): relative to the reference's scale, not element-wise. */
export function maxRelativeError(actual: Numbers, expected: Numbers, floor = 1e-6): number {
  if (actual.length !== expected.length) {
    throw new Error(`Length mismatch: actual ${actual.length}, expected ${expected.length}.`);
  }
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/** Asserts every |a − b| ≤ atol + rtol·|b|, and reports the worst element when it fails. */
export function expectAllClose(
  actual: Numbers,
  expected: Numbers,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `element ${worst}: actual ${actual[worst]}, expected ${expected[worst]} ` +
        `(rtol ${rtol}, atol ${atol})`,
    );
  }
}
