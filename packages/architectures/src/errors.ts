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

/**
 * Renders a received value for a message so that its type shows: strings quoted and named,
 * arrays and objects as JSON, other non-numbers with their type.
 */
export function received(value: unknown): string {
  if (typeof value === 'number' || value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (Array.isArray(value))
    return `[${value.map((v) => JSON.stringify(v) ?? String(v)).join(', ')}]`;
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return `${String(value)} (type ${typeof value})`;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1].toLowerCase() === b[j - 1].toLowerCase();
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (same ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * Rejects option keys that `where` does not know — a misspelt option would otherwise be ignored
 * silently — naming each one and the closest valid key. `undefined` options pass.
 */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArchitecturesArgumentError(
      `${where} takes an options object. Received: ${received(options)}`,
    );
  }
  const unknown = Object.keys(options).filter((k) => !valid.includes(k));
  if (unknown.length === 0) return;
  const named = unknown.map((k) => {
    // A valid key that contains the unknown one (`cache` → `cachePath`) beats edit distance.
    const score = (v: string) =>
      v.toLowerCase().includes(k.toLowerCase()) ? 0 : editDistance(k, v);
    const near = [...valid].sort((x, y) => score(x) - score(y))[0];
    return `\`${k}\` (did you mean \`${near}\`?)`;
  });
  throw new ArchitecturesArgumentError(
    `Unknown option${unknown.length > 1 ? 's' : ''} for ${where}: ${named.join(', ')}. ` +
      `Valid options: ${valid.join(', ')}.`,
  );
}

/**
 * The constructor keys every tfjs layer accepts: tfjs-layers' `LayerArgs`, what `getConfig`
 * writes, and `customObjects`, which tfjs's deserializer adds to the config it rebuilds from.
 */
export const tfjsLayerKeys = [
  'name',
  'trainable',
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'weights',
  'inputDType',
  'customObjects',
] as const;

/**
 * A saved model could not be read: a model.json path that does not exist or is not a tfjs
 * LayersModel, a weight file it names that is missing, or metadata `rectifier export` writes
 * that is absent or malformed.
 */
export class ModelFileError extends ArchitecturesError {
  override name = 'ModelFileError';
}
