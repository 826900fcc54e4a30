import {
  checkOptionKeys as checkKeys,
  RectifierArgumentError,
  RectifierError,
} from '@rectifier/core';

/** Base class of every error `@rectifier/data` throws on purpose. */
export class DataError extends RectifierError {}

/**
 * Bad arguments to a function of this package (a `RectifierArgumentError`: exit code 2 in the CLI).
 */
export class DataArgumentError extends RectifierArgumentError {}

/**
 * A data set on disk does not have the layout the reader documents: a bad path the user gave, so
 * a {@link DataArgumentError}.
 */
export class DatasetLayoutError extends DataArgumentError {
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
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot decode image ${path}: ${reason}`, options);
  }
}

/** `@rectifier/core`'s option checker, throwing {@link DataArgumentError}. */
export function checkOptionKeys(options: unknown, valid: readonly string[], where: string): void {
  checkKeys(options, valid, where, DataArgumentError);
}
