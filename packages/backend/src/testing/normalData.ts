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

/**
 * Inputs for a PReLU gradient test from seeds `seed`, `seed + 1`, `seed + 2`: x shifted by
 * `shift` (mostly negative, so both of Eqn 2's branches are taken), slopes around the paper's
 * initial 0.25 (Sec. 2.1) and a standard normal upstream gradient dy.
 */
export function preluInputs(c: { x: number[]; alpha: number[] }, seed: number, shift = -0.3) {
  return {
    x: normalData(c.x, seed, shift),
    a: normalData(c.alpha, seed + 1, 0.25),
    dy: normalData(c.x, seed + 2),
  };
}
