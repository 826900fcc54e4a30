import { normalArray } from '@rectifier/test-utils';

/** Standard normal samples for a tensor of `shape` (seeded), each moved by `shift`. */
export const normalData = (shape: number[], seed: number, shift = 0) =>
  Float32Array.from(
    normalArray(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ),
    (v) => v + shift,
  );
