/** Base class of every error `@rectifier/initializers` throws on purpose. */
export class InitializerError extends Error {
  override name = 'InitializerError';
}

/** Bad arguments to an initializer or a function of this package. */
export class InitializerArgumentError extends InitializerError {
  override name = 'InitializerArgumentError';
}
