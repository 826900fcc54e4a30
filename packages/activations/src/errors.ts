import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/activations` throws on purpose. */
export class ActivationError extends RectifierError {}

/**
 * Bad arguments to a layer, factory or op of this package (a `RectifierArgumentError`: exit code 2
 * in the CLI).
 */
export class ActivationArgumentError extends RectifierArgumentError {}

/** `@rectifier/core`'s option checker, throwing {@link ActivationArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, ActivationArgumentError);
}
