import { createRngFactory, type Rng } from '@rectifier/core';
import { DataArgumentError } from './errors';

export { permutation, type Rng } from '@rectifier/core';

/**
 * `@rectifier/core`'s seeded PRNG (mulberry32 over a splitmix32-mixed seed), draw for draw the
 * one this package had, throwing {@link DataArgumentError} for a key that is not a safe integer.
 * Seeded from (seed, epoch, sampleIndex), the loader's output does not depend on the number of
 * decode workers nor on the order in which samples finish decoding.
 */
export const createRng: (...keys: number[]) => Rng = createRngFactory(DataArgumentError);
