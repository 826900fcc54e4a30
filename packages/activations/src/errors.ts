import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/activations` throws on purpose. */
export class ActivationError extends RectifierError {
  override name = 'ActivationError';
}

/** Bad arguments to a layer, factory or op of this package (a `RectifierArgumentError`: the CLI exits with 2). */
export class ActivationArgumentError extends RectifierArgumentError {
  override name = 'ActivationArgumentError';
}

/** `@rectifier/core`'s option checker, throwing {@link ActivationArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, ActivationArgumentError);
}
