/** Base class of every error `@rectifier/augmentation` throws on purpose. */
export class AugmentationError extends Error {
  override name = 'AugmentationError';
}

/** Bad arguments to a transform factory or to `compose`. */
export class AugmentationArgumentError extends AugmentationError {
  override name = 'AugmentationArgumentError';
}
