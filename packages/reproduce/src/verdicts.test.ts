import { describe, expect, it } from 'vitest';
import { type Comparison, decideClaim, decideComparison, type Side } from './verdicts';

// Per-seed top-1 errors. Spreads of ~0.3 points over 4 seeds, differences far outside (2 points)
// or inside (0.05 points) them: each verdict is the only one a correct test can give.
const relu: Side = { name: 'relu', values: [0.338, 0.342, 0.336, 0.34] };
const prelu: Side = { name: 'prelu', values: [0.318, 0.321, 0.317, 0.322] };
const lrelu: Side = { name: 'lrelu', values: [0.3385, 0.3415, 0.3365, 0.3395] };
const noisy: Side = { name: 'noisy', values: [0.2, 0.45, 0.3, 0.39] };
const oneSeed: Side = { name: 'one', values: [0.3] };

const cmp = (relation: Comparison['relation'], a: Side, b: Side, percent = true): Comparison => ({
  relation,
  a,
  b,
  percent,
});

describe('"a below b"', () => {
  it('reproduced when a is clearly below, not reproduced when clearly above', () => {
    expect(decideComparison(cmp('below', prelu, relu)).verdict).toBe('reproduced');
    const r = decideComparison(cmp('below', relu, prelu));
    expect(r.verdict).toBe('not reproduced');
    expect(r.detail).toMatch(/relu < prelu: difference 1\.95 points, t = \d+\.\d\d, df = \d/);
  });

  it('undecided when the seed spread swamps the difference, or with one seed', () => {
    expect(decideComparison(cmp('below', noisy, relu)).verdict).toBe('undecided');
    const one = decideComparison(cmp('below', oneSeed, relu));
    expect(one.verdict).toBe('undecided');
    expect(one.detail).toMatch(/1 seed, no spread to test against \(run with --seeds 3/);
  });

  it('undecided for a side that could not be read, and for sides on different data', () => {
    const r = decideComparison(cmp('below', { unavailable: 'no runs of prelu' }, relu));
    expect(r).toEqual({ verdict: 'undecided', detail: 'no runs of prelu' });
    const other = decideComparison(
      cmp('below', { ...prelu, data: 'bundled' }, { ...relu, data: '/imagenet' }),
    );
    expect(other.verdict).toBe('undecided');
    expect(other.detail).toMatch(/different data/);
  });
});

describe('"a ≈ b" (TOST, margin 1 point)', () => {
  it('reproduced for a 0.05-point difference, not reproduced for 2 points, undecided when noisy', () => {
    expect(decideComparison(cmp('about', lrelu, relu)).verdict).toBe('reproduced');
    expect(decideComparison(cmp('about', prelu, relu)).verdict).toBe('not reproduced');
    expect(decideComparison(cmp('about', noisy, relu)).verdict).toBe('undecided');
  });

  it('a constant side: errors of exactly chance are ≈ chance', () => {
    const stalled: Side = { name: 'xavier', values: [0.9, 0.9, 0.9] };
    const chance: Side = { name: 'chance', values: { constant: 0.9 } };
    expect(decideComparison(cmp('about', stalled, chance)).verdict).toBe('reproduced');
    expect(decideComparison(cmp('below', prelu, chance)).verdict).toBe('reproduced');
  });
});

describe('"a ≤ b"', () => {
  it('reproduced when a is equal or below, not reproduced when clearly above', () => {
    expect(decideComparison(cmp('atMost', lrelu, relu)).verdict).toBe('reproduced');
    expect(decideComparison(cmp('atMost', prelu, relu)).verdict).toBe('reproduced');
    expect(decideComparison(cmp('atMost', relu, prelu)).verdict).toBe('not reproduced');
  });
});

describe('claims of several comparisons', () => {
  it('reproduced only when all are, not reproduced when any is, undecided otherwise', () => {
    const yes = cmp('below', prelu, relu);
    const no = cmp('below', relu, prelu);
    const maybe = cmp('below', noisy, relu);
    expect(decideClaim([yes, yes]).verdict).toBe('reproduced');
    expect(decideClaim([yes, maybe]).verdict).toBe('undecided');
    expect(decideClaim([yes, maybe, no]).verdict).toBe('not reproduced');
    expect(decideClaim([]).verdict).toBe('undecided');
  });

  it('the opposite direction is tested at α/k (Bonferroni)', () => {
    // One-sided p ≈ 0.03 against the claim: enough for k = 1 (α = 0.05), not for k = 2 (0.025).
    const a: Side = { name: 'a', values: [0.3, 0.32, 0.31, 0.33] };
    const b: Side = { name: 'b', values: [0.29, 0.3, 0.305, 0.295] };
    const c = cmp('below', a, b);
    expect(decideComparison(c, 1).detail).toMatch(/p\(a > b\) = 0\.0[1-4]/);
    expect(decideComparison(c, 1).verdict).toBe('not reproduced');
    expect(decideComparison(c, 3).verdict).toBe('undecided');
  });
});

it('the cpu Table 2 per-seed errors in docs/results.md get the readings written there', () => {
  // 10-view top-1 of seeds 0, 1, 2 (docs/results.md, "Table 2").
  const relu: Side = { name: 'relu', values: [0.261, 0.251, 0.235] };
  const lrelu: Side = { name: 'lrelu', values: [0.2245, 0.2055, 0.2095] };
  const shared: Side = { name: 'prelu-shared', values: [0.213, 0.2145, 0.2105] };
  const channelWise: Side = { name: 'prelu', values: [0.216, 0.223, 0.2125] };
  const below = decideComparison(cmp('below', channelWise, relu));
  expect(below.verdict).toBe('reproduced');
  expect(below.detail).toMatch(/difference -3\.18 points, t = -3\.89, df = 2\.6, p = 0\.0188/);
  expect(decideComparison(cmp('about', lrelu, relu)).verdict).toBe('not reproduced');
  expect(decideComparison(cmp('atMost', channelWise, shared)).verdict).toBe('undecided');
});
