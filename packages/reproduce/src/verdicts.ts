import { type Sample, type WelchResult, welch } from './welch';

/** A claim's verdict on our runs. */
export type Verdict = 'reproduced' | 'not reproduced' | 'undecided';

/** The significance level of every test. */
export const ALPHA = 0.05;
/** "≈" and "≤" tolerate this difference in error (1 percentage point): see {@link verdictRule}. */
export const MARGIN = 0.01;

/**
 * How a claim relates a to b: `below` a < b; `atMost` a ≤ b (a may exceed b by less than the
 * margin); `about` a ≈ b (|a − b| < margin).
 */
export type Relation = 'below' | 'atMost' | 'about';

/** One side of a comparison: its per-seed values (or a fixed number such as chance), or why not. */
export type Side = { name: string; values: Sample; data?: string } | { unavailable: string };

/** One test of a claim: a relation between two sides. */
export interface Comparison {
  relation: Relation;
  a: Side;
  b: Side;
  /** Error rates (shown in percentage points, margin applies); else raw values (slopes, responses). */
  percent: boolean;
}

/** The rule, as each report states it. */
export const verdictRule = [
  `Each claim is tested on per-seed values with Welch's one-sided t-test (unequal variances, Welch–Satterthwaite degrees of freedom) at α = ${ALPHA}.`,
  '"a below b": reproduced when the test finds mean(a) < mean(b) (p < α); not reproduced when it finds mean(a) > mean(b) (p < α/k); otherwise undecided.',
  `"a ≈ b" (margin δ = ${100 * MARGIN} point of error): reproduced when both one-sided tests find −δ < mean(a) − mean(b) < δ (TOST, each p < α); not reproduced when one finds |mean(a) − mean(b)| > δ (p < α/k); otherwise undecided.`,
  `"a ≤ b": not reproduced when the test finds mean(a) > mean(b) (p < α/k); reproduced when it finds mean(a) − mean(b) < δ (p < α); otherwise undecided.`,
  'A claim made of k comparisons (e.g. "at every scale") is reproduced when every comparison is, not reproduced when any is (each tested at α/k, Bonferroni), otherwise undecided.',
  'With fewer than 2 seeds on a side there is no spread to test against: the verdict is undecided. Sides trained or tested on different data are never compared (undecided).',
].join(' ');

export interface ComparisonOutcome {
  verdict: Verdict;
  /** What was compared and the test's numbers, or why it could not be tested. */
  detail: string;
}

const available = (s: Side): s is Extract<Side, { name: string }> => !('unavailable' in s);

function describe(c: Comparison, w: WelchResult | null, sides: [string, string]): string {
  const symbol = { below: '<', atMost: '≤', about: '≈' }[c.relation];
  const head = `${sides[0]} ${symbol} ${sides[1]}`;
  if (w === null) return head;
  const diff = c.percent ? `${(100 * w.diff).toFixed(2)} points` : w.diff.toPrecision(3);
  return `${head}: difference ${diff}, t = ${w.t.toFixed(2)}, df = ${w.df.toFixed(1)}`;
}

const sizeOf = (s: Sample) => (Array.isArray(s) ? s.length : Number.POSITIVE_INFINITY);

/** One comparison decided at α (reproduced) and α/k (not reproduced), k the claim's comparisons. */
export function decideComparison(c: Comparison, k = 1): ComparisonOutcome {
  const { a, b } = c;
  if (!available(a)) return { verdict: 'undecided', detail: a.unavailable };
  if (!available(b)) return { verdict: 'undecided', detail: b.unavailable };
  const names: [string, string] = [a.name, b.name];
  if (a.data !== undefined && b.data !== undefined && a.data !== b.data) {
    return {
      verdict: 'undecided',
      detail: `${describe(c, null, names)}: not compared, the two use different data (${a.data}; ${b.data})`,
    };
  }
  const n = Math.min(sizeOf(a.values), sizeOf(b.values));
  if (n < 2) {
    return {
      verdict: 'undecided',
      detail: `${describe(c, null, names)}: ${n} seed, no spread to test against (run with --seeds 3 or more)`,
    };
  }
  const delta = c.percent ? MARGIN : 0;
  const strict = ALPHA / k;
  const p = (x: number) => (x < 1e-4 ? x.toExponential(1) : x.toFixed(4));
  if (c.relation === 'below') {
    const w = welch(a.values, b.values);
    const text = describe(c, w, names);
    if (w.pLess < ALPHA) return { verdict: 'reproduced', detail: `${text}, p = ${p(w.pLess)}` };
    if (w.pGreater < strict)
      return { verdict: 'not reproduced', detail: `${text}, p(a > b) = ${p(w.pGreater)}` };
    return { verdict: 'undecided', detail: `${text}, p = ${p(w.pLess)}` };
  }
  if (c.relation === 'atMost') {
    const worse = welch(a.values, b.values);
    const text = describe(c, worse, names);
    if (worse.pGreater < strict)
      return { verdict: 'not reproduced', detail: `${text}, p(a > b) = ${p(worse.pGreater)}` };
    const within = welch(a.values, b.values, delta).pLess;
    return within < ALPHA
      ? { verdict: 'reproduced', detail: `${text}, p(a − b < δ) = ${p(within)}` }
      : { verdict: 'undecided', detail: `${text}, p(a − b < δ) = ${p(within)}` };
  }
  const upper = welch(a.values, b.values, delta);
  const lower = welch(a.values, b.values, -delta);
  // t of the bound the difference lies towards: the test that decides.
  const text = describe(c, upper.diff >= 0 ? upper : lower, names);
  if (upper.pGreater < strict || lower.pLess < strict) {
    const q = Math.min(upper.pGreater, lower.pLess);
    return { verdict: 'not reproduced', detail: `${text}, p(|a − b| > δ) = ${p(q)}` };
  }
  const tost = Math.max(upper.pLess, lower.pGreater);
  return {
    verdict: tost < ALPHA ? 'reproduced' : 'undecided',
    detail: `${text}, TOST p = ${p(tost)}`,
  };
}

/** A claim of k comparisons: reproduced if all are, not reproduced if any is, else undecided. */
export function decideClaim(comparisons: Comparison[]): {
  verdict: Verdict;
  outcomes: ComparisonOutcome[];
} {
  if (comparisons.length === 0) {
    return {
      verdict: 'undecided',
      outcomes: [{ verdict: 'undecided', detail: 'nothing to compare in these runs' }],
    };
  }
  const outcomes = comparisons.map((c) => decideComparison(c, comparisons.length));
  const verdict: Verdict = outcomes.some((o) => o.verdict === 'not reproduced')
    ? 'not reproduced'
    : outcomes.every((o) => o.verdict === 'reproduced')
      ? 'reproduced'
      : 'undecided';
  return { verdict, outcomes };
}
