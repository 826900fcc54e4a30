import { checkSeed, deriveSeed, tfjsLayerKeys } from '@rectifier/core';
import { tfjsSeed } from '@rectifier/initializers';
import * as tf from '@tensorflow/tfjs';
import { ArchitecturesArgumentError, checkOptionKeys } from './errors';

type DropoutArgs = Parameters<typeof tf.layers.dropout>[0];
type DropoutLayer = ReturnType<typeof tf.layers.dropout>;

// tfjs-layers exports Dropout's type but not the class; an instance leads to it.
const Dropout = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })).constructor as new (
  args: DropoutArgs,
) => DropoutLayer;

/** Dropout's fields and helper that tfjs-layers' typings leave out. */
interface Tfjs {
  rate: number;
  seed?: number;
  getNoiseShape(x: tf.Tensor): number[] | undefined;
}

/**
 * The hook @rectifier/trainer calls on a dropout layer before each step's forward pass: the
 * step's seed, and the mask counter back to 0. A registered symbol (`Symbol.for`), so neither
 * package imports the other; the trainer declares the same one (its `reseedDropout`).
 */
export const reseedDropout: unique symbol = Symbol.for('@rectifier/reseedDropout');

/**
 * `tf.layers.dropout` with a seed that reproduces without freezing the mask. tfjs's Dropout hands
 * its seed to `tf.dropout` unchanged on every call, so a seeded tfjs Dropout drops the same units
 * at every training step (a fixed sub-network, not dropout). Here training call k draws its mask
 * from `deriveSeed(seed, 'dropout', k)` (`@rectifier/core`): a rebuilt model replays the same
 * masks, step by step.
 * `step` counts the training calls; @rectifier/trainer restarts it with each step's seed
 * ({@link reseedDropout}).
 * Unseeded, it is tfjs's Dropout. Serialized as `RectifierDropout` (not a tfjs built-in name).
 */
export class SeededDropout extends Dropout {
  static className = 'RectifierDropout';
  /** Training-mode calls so far; call k uses the mask of (seed, k). */
  step = 0;

  constructor(args: DropoutArgs) {
    checkOptionKeys(args, ['rate', 'noiseShape', 'seed', ...tfjsLayerKeys], 'seededDropout');
    checkSeed(args.seed, ArchitecturesArgumentError);
    super(args);
  }

  // Layer.fromConfig, restated: the base class above is typed by its constructor only.
  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }

  /** Draws the next training call's mask from (seed, 0): see {@link reseedDropout}. */
  [reseedDropout](seed: number): void {
    (this as unknown as Tfjs).seed = seed;
    this.step = 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const self = this as unknown as Tfjs;
    if (kwargs.training !== true || self.seed == null || !(self.rate > 0 && self.rate < 1)) {
      return super.call(inputs, kwargs) as tf.Tensor;
    }
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const seed = tfjsSeed(deriveSeed(self.seed, 'dropout', this.step++));
    return tf.tidy(() => tf.dropout(x, self.rate, self.getNoiseShape(x), seed));
  }
}

/** Dropout whose seeded masks change every step and replay on a rebuilt model; see {@link SeededDropout}. */
export function seededDropout(args: DropoutArgs): SeededDropout {
  return new SeededDropout(args);
}
