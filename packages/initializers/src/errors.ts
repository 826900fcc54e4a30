import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/initializers` throws on purpose. */
export class InitializerError extends RectifierError {}

/**
 * Bad arguments to an initializer or a function of this package (a `RectifierArgumentError`: exit
 * code 2 in the CLI).
 */
export class InitializerArgumentError extends RectifierArgumentError {}

/** `@rectifier/core`'s option checker, throwing {@link InitializerArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, InitializerArgumentError);
}
