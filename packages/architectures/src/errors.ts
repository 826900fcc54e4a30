/** Base class of every error `@rectifier/architectures` throws on purpose. */
export class ArchitecturesError extends Error {
  override name = 'ArchitecturesError';
}

/** Bad arguments to a builder, a layer or `summarize`. */
export class ArchitecturesArgumentError extends ArchitecturesError {
  override name = 'ArchitecturesArgumentError';
}

/**
 * A feature map reached spatial pyramid pooling with fewer rows or columns than a pyramid level
 * has bins: that level cannot give n×n non-empty bins. Raised at model-build time when the map
 * size is known, otherwise when the layer runs.
 */
export class FeatureMapTooSmallError extends ArchitecturesError {
  override name = 'FeatureMapTooSmallError';
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
