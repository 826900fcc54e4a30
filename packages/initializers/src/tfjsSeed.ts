import { checkSeed as checkCoreSeed } from '@rectifier/core';
import { InitializerArgumentError } from './errors';

/**
 * tfjs's Gaussian and gamma samplers read a seed of 0 as "no seed" (`seed ? seed : Math.random()`)
 * and hash `String(seed)` otherwise, so seed 0 would draw differently on every call. Integer seeds
 * never print as "0.5", so sending 0 as 0.5 keeps the map from our seeds to tfjs streams one-to-one
 * (and leaves every other seed's stream as tfjs draws it).
 */
const zeroSeedForTfjs = 0.5;

/**
 * The seed to pass to a tfjs random op (`tf.randomNormal`, `tf.randomUniform`, `tf.dropout`) for
 * one of our integer seeds, so that every seed — 0 included — gives the same draw each time.
 * `undefined` stays `undefined` (unseeded). Use it for derived seeds too (`deriveSeed` of
 * `@rectifier/core` can return 0).
 */
export function tfjsSeed(seed: number | undefined | null): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  checkSeed(seed);
  return seed === 0 ? zeroSeedForTfjs : seed;
}

/**
 * Seeds are integers (safe ones: |seed| ≤ 2^53 − 1), so that every seed, 0 included, names exactly
 * one random stream; `undefined`/`null` mean unseeded. `checkSeed` of `@rectifier/core`, throwing
 * {@link InitializerArgumentError}.
 */
export function checkSeed(seed: unknown): void {
  checkCoreSeed(seed, InitializerArgumentError);
}
