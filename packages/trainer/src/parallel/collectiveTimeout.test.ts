import { describe, expect, test } from 'vitest';
import { CollectiveTimeout } from './collectiveTimeout';
import { resolveParallel } from './start';

describe('the collective timeout', () => {
  test('derived: at least 60 s, then 10 × the slowest step seen, never shrinking', () => {
    const t = new CollectiveTimeout(null);
    expect(t.ms).toBe(60_000);
    t.observe(2_000);
    expect(t.ms).toBe(60_000);
    t.observe(7_500);
    expect(t.ms).toBe(75_000);
    t.observe(100);
    expect(t.ms).toBe(75_000);
  });

  test('a timeoutMs given by the caller is used as given', () => {
    const t = new CollectiveTimeout(1500);
    t.observe(10_000);
    expect(t.ms).toBe(1500);
  });

  test('train() without timeoutMs derives it; a bad value names the option', () => {
    expect(resolveParallel({ devices: 2 })?.timeoutMs).toBeNull();
    expect(resolveParallel({ devices: 2, timeoutMs: 30_000 })?.timeoutMs).toBe(30_000);
    expect(() => resolveParallel({ devices: 2, timeoutMs: -1 })).toThrow(
      /`timeoutMs` must be a positive number of milliseconds. Received: timeoutMs=-1/,
    );
  });
});
