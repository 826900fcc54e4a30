import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/initializers` throws on purpose. */
export class InitializerError extends RectifierError {
  override name = 'InitializerError';
}

/** Bad arguments to an initializer or a function of this package (a `RectifierArgumentError`: the CLI exits with 2). */
export class InitializerArgumentError extends RectifierArgumentError {
  override name = 'InitializerArgumentError';
}

/** `@rectifier/core`'s option checker, throwing {@link InitializerArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, InitializerArgumentError);
}
