import { received } from '@rectifier/core';
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
 * `undefined` stays `undefined` (unseeded). Use it for derived seeds too (`seed + layerIndex`
 * can reach 0).
 */
export function tfjsSeed(seed: number | undefined | null): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  checkSeed(seed);
  return seed === 0 ? zeroSeedForTfjs : seed;
}

/**
 * Seeds are integers (safe ones: |seed| ≤ 2^53 − 1), so that every seed, 0 included, names exactly
 * one random stream; `undefined`/`null` mean unseeded.
 */
export function checkSeed(seed: unknown): void {
  if (seed === undefined || seed === null) return;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new InitializerArgumentError(
      `Argument \`seed\` must be an integer (|seed| ≤ 2^53 − 1) or undefined. Received: seed=${received(seed)}`,
    );
  }
}
