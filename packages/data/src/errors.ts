/** Base class of every error `@rectifier/data` throws on purpose. */
export class DataError extends Error {
  override name = 'DataError';
}

/** Bad arguments to a function of this package. */
export class DataArgumentError extends DataError {
  override name = 'DataArgumentError';
}

/** A data set on disk does not have the layout the reader documents. */
export class DatasetLayoutError extends DataError {
  override name = 'DatasetLayoutError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (path: ${path})`, options);
  }
}

/** An IDX file is malformed (bad magic, truncated payload). */
export class IdxFormatError extends DataError {
  override name = 'IdxFormatError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${message} (file: ${path})`);
  }
}

/**
 * An IDX file declares, or decompresses to, more bytes than allowed: a header above the
 * `maxBytes` limit, or a gzip stream that inflates past the size its own header declares (a
 * corrupt file or a decompression bomb). Inflation stops at that size.
 */
export class IdxSizeError extends IdxFormatError {
  override name = 'IdxSizeError';
}

/** A label of an IDX labels file is outside the data set's classes (0 … classes − 1). */
export class LabelRangeError extends DataError {
  override name = 'LabelRangeError';
  constructor(
    readonly path: string,
    readonly index: number,
    readonly value: number,
    readonly classCount: number,
    message: string,
  ) {
    super(`${message} (file: ${path})`);
  }
}

/** An image file could not be read or decoded. The loader catches it and skips the sample. */
export class ImageDecodeError extends DataError {
  override name = 'ImageDecodeError';
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot decode image ${path}: ${reason}`, options);
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
    throw new DataArgumentError(`${where} takes an options object. Received: ${received(options)}`);
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
  throw new DataArgumentError(
    `Unknown option${unknown.length > 1 ? 's' : ''} for ${where}: ${named.join(', ')}. ` +
      `Valid options: ${valid.join(', ')}.`,
  );
}
