import { received } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { InitializerArgumentError } from './errors';
import { checkSeed, tfjsSeed } from './tfjsSeed';

/** Shape of the distribution: a true Gaussian (paper) or a uniform with the same std. */
export type Distribution = 'normal' | 'uniform';

export function checkDistribution(distribution: unknown): void {
  if (distribution !== 'normal' && distribution !== 'uniform') {
    throw new InitializerArgumentError(
      `Argument \`distribution\` must be 'normal' or 'uniform'. Received: distribution=${received(distribution)}`,
    );
  }
}

type TfInitializer = ReturnType<typeof tf.initializers.zeros>;

// tfjs-layers does not export its `Initializer` base class, yet layers accept an initializer
// object only if it is an `instanceof` that class (anything else is read as a config dict).
// Every built-in initializer extends it, so take it from one.
const InitializerBase = Object.getPrototypeOf(
  tf.initializers.zeros().constructor,
) as abstract new () => TfInitializer;

/**
 * The base of every initializer here: zero mean, a std computed from the shape, drawn from an
 * untruncated Gaussian or from U(−√3·std, √3·std) (same variance). tfjs's `heNormal` instead
 * draws a normal truncated at 2σ without rescaling, so its real std is ≈ 0.88 of the formula.
 *
 * With a `seed` (an integer, 0 included), every `apply` draws the same numbers: give each layer
 * its own seed.
 */
export abstract class ScaledDistribution extends InitializerBase {
  readonly distribution: Distribution;
  readonly seed: number | undefined;

  constructor(distribution: Distribution = 'normal', seed?: number | null) {
    super();
    checkDistribution(distribution);
    checkSeed(seed);
    this.distribution = distribution;
    this.seed = seed ?? undefined;
  }

  /** The standard deviation for a weight of this shape. */
  abstract stddev(shape: readonly number[]): number;

  override apply(shape: tf.Shape, dtype: tf.DataType = 'float32'): tf.Tensor {
    if (dtype !== 'float32') {
      throw new InitializerArgumentError(
        `Only float32 weights can be initialised. Received: dtype=${received(dtype)}`,
      );
    }
    const std = this.stddev(shape as number[]);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3) * std;
      return tf.randomUniform(shape as number[], -limit, limit, 'float32', tfjsSeed(this.seed));
    }
    return tf.randomNormal(shape as number[], 0, std, 'float32', tfjsSeed(this.seed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { distribution: this.distribution, seed: this.seed ?? null };
  }
}
