import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/architectures` throws on purpose. */
export class ArchitecturesError extends RectifierError {}

/**
 * Bad arguments to a builder, a layer or `summarize` (a `RectifierArgumentError`: exit code 2 in
 * the CLI).
 */
export class ArchitecturesArgumentError extends RectifierArgumentError {}

/**
 * A feature map reached spatial pyramid pooling with fewer rows or columns than a pyramid level
 * has bins: that level cannot give n×n non-empty bins. Raised at model-build time when the map
 * size is known, otherwise when the layer runs.
 */
export class FeatureMapTooSmallError extends ArchitecturesError {
  constructor(
    readonly height: number | null,
    readonly width: number | null,
    readonly levels: readonly number[],
    options?: { cause?: unknown },
  ) {
    const largest = Math.max(...levels);
    super(
      `Spatial pyramid pooling needs a feature map of at least ${largest}×${largest} for ` +
        `levels=[${levels.join(', ')}]. Received: a ${height ?? '?'}×${width ?? '?'} map. Use a larger input ` +
        '(or fewer/smaller pyramid levels).',
      options,
    );
  }
}

/** `@rectifier/core`'s option checker, throwing {@link ArchitecturesArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, ArchitecturesArgumentError);
}

/**
 * A saved model could not be read: a model.json path that does not exist or is not a tfjs
 * LayersModel, a weight file it names that is missing, or metadata `rectifier export` writes
 * that is absent or malformed.
 */
export class ModelFileError extends ArchitecturesError {}
