import { closestName } from './closestName';
import { type ErrorClass, RectifierArgumentError } from './errors';
import { received } from './received';

// The value checks every package repeated with its own error class. Each returns the value,
// narrowed, so a check reads as an assignment: `const n = checkPositiveInteger('n', args.n)`.

/** Throws unless `value` is an integer ≥ 1. */
export function checkPositiveInteger(
  name: string,
  value: unknown,
  ErrorClass: ErrorClass = RectifierArgumentError,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ErrorClass(
      `Argument \`${name}\` must be a positive integer. Received: ${name}=${received(value)}`,
    );
  }
  return value;
}

/**
 * Throws unless `value` is a finite number with `ok(value)`; `rule` completes "must be …"
 * (`'a positive number'`, `'in [0, 1)'`).
 */
export function checkNumber(
  name: string,
  value: unknown,
  rule: string,
  ok: (v: number) => boolean = () => true,
  ErrorClass: ErrorClass = RectifierArgumentError,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new ErrorClass(
      `Argument \`${name}\` must be ${rule}. Received: ${name}=${received(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is one of `choices`, suggesting the closest one for a misspelt string. */
export function checkOneOf<const T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
  ErrorClass: ErrorClass = RectifierArgumentError,
): T {
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  const near = typeof value === 'string' ? closestName(value, choices) : undefined;
  throw new ErrorClass(
    `Argument \`${name}\` must be one of ${choices.map((c) => `'${c}'`).join(', ')}. ` +
      `Received: ${name}=${received(value)}${near === undefined ? '' : `. Did you mean '${near}'?`}`,
  );
}

/**
 * Seeds are integers (safe ones: |seed| ≤ 2^53 − 1), so that every seed, 0 included, names exactly
 * one random stream; `undefined`/`null` mean unseeded and pass.
 */
export function checkSeed(seed: unknown, ErrorClass: ErrorClass = RectifierArgumentError): void {
  if (seed === undefined || seed === null) return;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new ErrorClass(
      `Argument \`seed\` must be an integer (|seed| ≤ 2^53 − 1) or undefined. Received: seed=${received(seed)}`,
    );
  }
}
