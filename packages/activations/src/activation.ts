import type * as tf from '@tensorflow/tfjs';
import { ActivationArgumentError, checkOptionKeys } from './errors';
import { leakyReLU } from './leakyReLU';
import { prelu } from './prelu';
import { relu } from './relu';

/**
 * The rectifiers the paper compares: ReLU, fixed-slope LReLU, PReLU channel-wise / shared. The
 * one list of them: `ActivationKind`, the architectures' options and the app's config and CLI
 * help all derive from it.
 */
export const activationKinds = ['relu', 'lrelu', 'prelu', 'prelu-shared'] as const;
export type ActivationKind = (typeof activationKinds)[number];

/** Options of `activation`; each applies only to the kinds named. */
export interface ActivationOptions {
  /** PReLU initial slope ('prelu', 'prelu-shared'); 0.25 (Sec. 2.1). */
  init?: number;
  /** LReLU fixed slope ('lrelu'); 0.01 by default, 0.25 in Table 2. */
  alpha?: number;
  /** Layer name. */
  name?: string;
}

/**
 * One factory for every rectifier, so model builders take the activation as a parameter:
 * `activation('prelu')` after each conv / fc layer.
 */
export function activation(kind: ActivationKind, options: ActivationOptions = {}): tf.layers.Layer {
  checkOptionKeys(options, ['init', 'alpha', 'name'], 'activation');
  const { name } = options;
  switch (kind) {
    case 'relu':
      return relu({ name });
    case 'lrelu':
      return leakyReLU({ alpha: options.alpha, name });
    case 'prelu':
      return prelu({ init: options.init, name });
    case 'prelu-shared':
      return prelu({ shared: true, init: options.init, name });
    default:
      throw new ActivationArgumentError(
        `Argument \`kind\` must be one of ${activationKinds.map((k) => `'${k}'`).join(', ')}. ` +
          `Received: kind=${JSON.stringify(kind)}`,
      );
  }
}
