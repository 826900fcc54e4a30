import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/augmentation` throws on purpose. */
export class AugmentationError extends RectifierError {
  override name = 'AugmentationError';
}

/** Bad arguments to a transform factory or to `compose` (a `RectifierArgumentError`: the CLI exits with 2). */
export class AugmentationArgumentError extends RectifierArgumentError {
  override name = 'AugmentationArgumentError';
}

/** `@rectifier/core`'s option checker, throwing {@link AugmentationArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, AugmentationArgumentError);
}
