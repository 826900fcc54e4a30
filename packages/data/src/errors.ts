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

/** Renders a received value for a message: strings quoted, the type named when it is not a number. */
export function received(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (value === null) return 'null';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `${text} (${Array.isArray(value) ? 'an array' : `type ${typeof value}`})`;
}
