import { type ErrorClass, RectifierArgumentError } from './errors';
import { mix32 } from './mix32';
import { received } from './received';

/**
 * A small seeded PRNG (mulberry32 over a splitmix32-mixed seed). Deterministic in every
 * JavaScript engine, so "same seed → same pixels" holds across machines.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/**
 * A `createRng` that throws `ErrorClass` for a bad key, for a package that re-exports the PRNG
 * under its own error contract: `export const createRng = createRngFactory(DataArgumentError)`.
 */
export function createRngFactory(ErrorClass: ErrorClass): (...keys: number[]) => Rng {
  return (...keys) => {
    for (const [i, k] of keys.entries()) {
      // Fractions would be truncated below (0.5 and 0 would give the same stream): reject them.
      if (typeof k !== 'number' || !Number.isSafeInteger(k)) {
        throw new ErrorClass(
          `createRng takes integer keys (seed, epoch, index…). Received: keys[${i}]=${received(k)}`,
        );
      }
    }
    let state = 0x2545f491;
    for (const k of keys) state = mix32(state ^ mix32(k | 0) ^ Math.floor(k / 4294967296));
    let a = state;
    const next = () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return {
      next,
      int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
      normal: () => {
        const u = 1 - next();
        const v = next();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      },
    };
  };
}

/**
 * Seeds an RNG from one or more integers (any safe integer, 0 and negatives included), e.g.
 * `createRng(seed, epoch, sampleIndex)`. Deriving the per-sample stream from (seed, epoch, index)
 * is what makes a loader's output independent of the number of decode workers and of the order
 * in which samples finish decoding. Throws {@link RectifierArgumentError} for a key that is not
 * a safe integer.
 */
export const createRng: (...keys: number[]) => Rng = createRngFactory(RectifierArgumentError);

/** Fisher–Yates permutation of 0..n-1 driven by `rng`. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
