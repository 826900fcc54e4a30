import { expect, it } from 'vitest';
// mpmath values (tools/fixtures/reproduce_student_t.py): the t density integrated numerically.
import fixture from './fixtures/studentT.json';
import { incompleteBeta, studentTCdf, welch } from './welch';

it('studentTCdf matches the integrated density (mpmath) to 1e-10, fractional df included', () => {
  for (const { t, df, cdf } of fixture.cdf) {
    expect(Math.abs(studentTCdf(t, df) - cdf), `t=${t} df=${df}`).toBeLessThan(1e-10);
  }
});

it('studentTCdf: closed forms for df 1 (Cauchy) and 2, and the t-table 95% point for df 5', () => {
  for (const t of [-4, -0.5, 0.25, 3]) {
    expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
    expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
  }
  expect(studentTCdf(2.015048, 5)).toBeCloseTo(0.95, 6);
});

it('incompleteBeta: I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b', () => {
  for (const x of [0.1, 0.5, 0.93]) {
    expect(incompleteBeta(x, 3.5, 1)).toBeCloseTo(x ** 3.5, 12);
    expect(incompleteBeta(x, 1, 2.25)).toBeCloseTo(1 - (1 - x) ** 2.25, 12);
  }
});

it('welch: t, Welch–Satterthwaite df and one-sided p as the textbook formulas (mpmath)', () => {
  for (const c of fixture.welch) {
    const r = welch(c.a, c.b);
    expect(r.t).toBeCloseTo(c.t, 10);
    expect(r.df).toBeCloseTo(c.df, 10);
    expect(r.pLess).toBeCloseTo(c.pLess, 10);
    expect(r.pGreater).toBeCloseTo(1 - c.pLess, 10);
  }
});

it('welch: a constant side is the one-sample test (df = n − 1); zero spread is exact', () => {
  const r = welch([1, 2, 3, 4], { constant: 1 });
  expect(r.df).toBeCloseTo(3, 12);
  expect(r.t).toBeCloseTo(1.5 / Math.sqrt(1.6666666666666667 / 4), 12);
  expect(welch([0.9, 0.9], { constant: 0.9 }, 0.01)).toMatchObject({ pLess: 0, pGreater: 1 });
  expect(() => welch([1], [1, 2])).toThrow(/≥ 2 values/);
});
