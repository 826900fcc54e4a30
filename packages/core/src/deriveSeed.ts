import { checkOneOf } from './argumentChecks';
import { RectifierArgumentError } from './errors';
import { mix32 } from './mix32';
import { received } from './received';

/**
 * What a derived seed is for. Each purpose is its own family of streams, so adding dropout to a
 * model never changes its initial weights, and reshuffling never changes augmentation:
 *
 * - `'init'`: weight initialisers, index = the layer's index in the model (`deriveSeed(seed,
 *   'init', layerIndex)`); replaces architectures' `seed + layerIndex` and the app's `seed + 1`.
 * - `'dropout'`: dropout masks, indices = (layer index, step).
 * - `'shuffle'`: the order of a data set, index = epoch.
 * - `'augment'`: crops, flips and colour jitter, indices = (epoch, sample index).
 * - `'worker'`: per-worker streams of multi-device training, index = rank.
 * - `'split'`: holding out a validation split from a training set.
 */
export const seedPurposes = ['init', 'dropout', 'shuffle', 'augment', 'worker', 'split'] as const;

/** One of {@link seedPurposes}. */
export type SeedPurpose = (typeof seedPurposes)[number];

/** FNV-1a over the UTF-16 code units: a stable 32-bit hash of a purpose name. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Folds a safe integer (negatives included) into the state, low and high 32-bit words apart. */
function absorb(state: number, k: number): number {
  const high = Math.floor(k / 4294967296);
  return mix32(mix32(state ^ (k >>> 0)) ^ (high >>> 0));
}

function checkKey(name: string, k: unknown): number {
  if (typeof k !== 'number' || !Number.isSafeInteger(k)) {
    throw new RectifierArgumentError(
      `deriveSeed takes integer keys (|key| ≤ 2^53 − 1). Received: ${name}=${received(k)}`,
    );
  }
  return k;
}

/**
 * The seed of one random stream of a run: a uint32 that depends on the run's `seed` (any safe
 * integer, 0 and negatives included), the `purpose` and the `indices` (layer, epoch, rank…), and
 * on nothing else — the same arguments give the same seed on every machine and JavaScript
 * engine. Different purposes or indices give unrelated seeds (a hash, not `seed + i`, so run 1's
 * layer 2 is not run 2's layer 1).
 *
 * The result can be 0: hand it to a tfjs random op through `tfjsSeed` of
 * `@rectifier/initializers` (tfjs reads seed 0 as "unseeded"), or to {@link createRng}.
 *
 * @example deriveSeed(runSeed, 'init', layerIndex)
 */
export function deriveSeed(seed: number, purpose: SeedPurpose, ...indices: number[]): number {
  checkKey('seed', seed);
  checkOneOf('purpose', purpose, seedPurposes);
  for (const [i, k] of indices.entries()) checkKey(`indices[${i}]`, k);
  let state = mix32(hashString(purpose));
  state = absorb(state, seed);
  for (const k of indices) state = absorb(state, k);
  // The count closes the tuple, so (s, p, 0) and (s, p) differ.
  return mix32(state ^ indices.length);
}
