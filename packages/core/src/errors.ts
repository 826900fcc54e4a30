/**
 * Base class of every error a `@rectifier/*` package throws on purpose, so callers can tell our
 * errors from tfjs's or Node's with one `instanceof`. `name` is the class's own name: subclasses
 * get theirs without repeating it, e.g. `class ActivationError extends RectifierError {}` has
 * `name === 'ActivationError'`. Minifiers rename classes, so a subclass that must keep its
 * name in a minified bundle also declares it: `override name = 'ActivationError'`.
 */
export class RectifierError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Base of every bad-argument or bad-value error (unknown option key, value out of range, a
 * wrong type): the caller's mistake, raised before any work. The `rectifier` CLI exits with
 * code 2 for any `instanceof RectifierArgumentError`, so a package's own argument error
 * (`class ActivationArgumentError extends RectifierArgumentError {}`) is a usage error there
 * without being listed anywhere.
 */
export class RectifierArgumentError extends RectifierError {}

/** A constructor of an error class the checks throw (default {@link RectifierArgumentError}). */
export type ErrorClass = new (message: string, options?: ErrorOptions) => Error;
