import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/augmentation` throws on purpose. */
export class AugmentationError extends RectifierError {}

/**
 * Bad arguments to a transform factory or to `compose` (a `RectifierArgumentError`: exit code 2 in
 * the CLI).
 */
export class AugmentationArgumentError extends RectifierArgumentError {}

/** `@rectifier/core`'s option checker, throwing {@link AugmentationArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, AugmentationArgumentError);
}
