import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/backend` throws on purpose. */
export class BackendError extends RectifierError {}

/** A backend that was asked for by name cannot be loaded on this machine. */
export class BackendUnavailableError extends BackendError {
  constructor(
    readonly requested: string,
    readonly available: readonly string[],
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Backend "${requested}" is not available: ${hint}. ` +
        `Available here: ${available.length > 0 ? available.join(', ') : 'none'}.`,
      options,
    );
  }
}

/**
 * Bad arguments to a function of this package (a `RectifierArgumentError`: exit code 2 in the CLI).
 */
export class BackendArgumentError extends RectifierArgumentError {}

/** `@rectifier/core`'s option checker, throwing {@link BackendArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, BackendArgumentError);
}
