/** Base class of every error `@rectifier/activations` throws on purpose. */
export class ActivationError extends Error {
  override name = 'ActivationError';
}

/** Bad arguments to a layer, factory or op of this package. */
export class ActivationArgumentError extends ActivationError {
  override name = 'ActivationArgumentError';
}
