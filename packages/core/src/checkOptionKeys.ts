import { closestName } from './closestName';
import { type ErrorClass, RectifierArgumentError } from './errors';
import { received } from './received';

/**
 * Rejects option keys that `where` does not know — a misspelt option would otherwise be ignored
 * silently — naming each one and the closest valid key, all in one error. `undefined` options
 * pass; anything else that is not a plain object is an error. Throws `ErrorClass` (a package's
 * own argument error) so callers keep their `instanceof` checks.
 */
export function checkOptionKeys(
  options: unknown,
  valid: readonly string[],
  where: string,
  ErrorClass: ErrorClass = RectifierArgumentError,
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ErrorClass(`${where} takes an options object. Received: ${received(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !valid.includes(k));
  if (unknown.length === 0) return;
  const named = unknown.map((k) => {
    const near = closestName(k, valid);
    return near === undefined ? `\`${k}\`` : `\`${k}\` (did you mean \`${near}\`?)`;
  });
  throw new ErrorClass(
    `Unknown option${unknown.length > 1 ? 's' : ''} for ${where}: ${named.join(', ')}. ` +
      `Valid options: ${valid.join(', ')}.`,
  );
}
