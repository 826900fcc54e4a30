/*
 * The statistics behind a report's verdicts: the Student-t CDF (through the regularized
 * incomplete beta function) and Welch's unequal-variance t-test on per-seed values.
 */

// Numerical Recipes (3rd ed., gammln): a Lanczos series with g = 671/128 and 14 terms, ln Γ to
// ~1e-15 for x > 0 (the 9-term g = 7 series often quoted is good to only ~1e-8).
const lanczos = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202,
  3.399464998481189e-5, 4.652362892704858e-5, -9.837447530487956e-5, 1.580887032249125e-4,
  -2.1026444172410488e-4, 2.1743961811521265e-4, -1.643181065367639e-4, 8.441822398385275e-5,
  -2.6190838401581408e-5, 3.6899182659531625e-6,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  let tmp = x + 5.2421875;
  tmp = (x + 0.5) * Math.log(tmp) - tmp;
  let series = 0.9999999999999971;
  for (let j = 0; j < lanczos.length; j++) series += lanczos[j] / (x + j + 1);
  return tmp + Math.log((2.5066282746310007 * series) / x);
}

/**
 * The continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz): converges
 * fast for x < (a + 1) / (a + b + 2); the caller uses the symmetry I_x(a, b) = 1 − I_{1−x}(b, a)
 * otherwise.
 */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(x, a, b)) / a
    : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/**
 * P(T ≤ t) for Student's t with `df` > 0 degrees of freedom (fractional df allowed, as Welch's
 * test needs): with x = df / (df + t²), P(T ≤ −|t|) = I_x(df/2, 1/2) / 2.
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Per-seed values of one side of a comparison, or a fixed number (e.g. the chance error). */
export type Sample = number[] | { constant: number };

/** Welch's test of mean(a) − mean(b) against `shift`: its t, its df, and the one-sided p. */
export interface WelchResult {
  /** mean(a) − mean(b). */
  diff: number;
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** p of the alternative mean(a) − mean(b) < shift. */
  pLess: number;
  /** p of the alternative mean(a) − mean(b) > shift. */
  pGreater: number;
}

function moments(s: Sample): { mean: number; se2: number; n: number } {
  if (!Array.isArray(s)) return { mean: s.constant, se2: 0, n: Number.POSITIVE_INFINITY };
  const n = s.length;
  const mean = s.reduce((x, y) => x + y, 0) / n;
  const variance = s.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1);
  return { mean, se2: variance / n, n };
}

/**
 * Welch's t-test: t = (mean(a) − mean(b) − shift) / √(s_a²/n_a + s_b²/n_b), df by
 * Welch–Satterthwaite, (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1)).
 * A constant side contributes no variance (the one-sample t-test, df = n − 1). Each sample
 * needs ≥ 2 values. When every value is equal (no spread at all) the difference is exact and
 * the p-values are 0 or 1.
 */
export function welch(a: Sample, b: Sample, shift = 0): WelchResult {
  for (const s of [a, b]) {
    if (Array.isArray(s) && s.length < 2) {
      throw new RangeError(`welch: each sample needs ≥ 2 values. Received: ${s.length}`);
    }
  }
  const ma = moments(a);
  const mb = moments(b);
  const diff = ma.mean - mb.mean;
  const se2 = ma.se2 + mb.se2;
  if (se2 === 0) {
    const d = diff - shift;
    return {
      diff,
      t: d === 0 ? 0 : d * Number.POSITIVE_INFINITY,
      df: Number.POSITIVE_INFINITY,
      pLess: d < 0 ? 0 : 1,
      pGreater: d > 0 ? 0 : 1,
    };
  }
  const t = (diff - shift) / Math.sqrt(se2);
  const term = (m: { se2: number; n: number }) =>
    Number.isFinite(m.n) ? m.se2 ** 2 / (m.n - 1) : 0;
  const df = se2 ** 2 / (term(ma) + term(mb));
  return { diff, t, df, pLess: studentTCdf(t, df), pGreater: studentTCdf(-t, df) };
}
