/** Base class of every error `@rectifier/backend` throws on purpose. */
export class BackendError extends Error {
  override name = 'BackendError';
}

/** A backend that was asked for by name cannot be loaded on this machine. */
export class BackendUnavailableError extends BackendError {
  override name = 'BackendUnavailableError';
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

/** Bad arguments to a function of this package. */
export class BackendArgumentError extends BackendError {
  override name = 'BackendArgumentError';
}
