import { closestName } from '@rectifier/core';
import { TrainerArgumentError } from './errors';

/**
 * Rejects unknown keys of an options object, all of them at once, each with the closest valid
 * key (`closestName` of `@rectifier/core`) in the trainer's wording (`what` names the function,
 * e.g. `sgd`).
 */
export function checkKeys(what: string, options: object, valid: readonly string[]): void {
  if (options === null || typeof options !== 'object') {
    throw new TrainerArgumentError(
      `${what}: options must be an object. Received: ${String(options)} (${typeof options})`,
    );
  }
  const unknown = Object.keys(options).filter((k) => !valid.includes(k));
  if (unknown.length > 0) {
    throw new TrainerArgumentError(
      unknown
        .map((k) => `${what}: unknown option \`${k}\`; did you mean \`${closestName(k, valid)}\`?`)
        .join('\n'),
    );
  }
}

/** Throws unless `value` is a finite number with `ok(value)`; `rule` reads "a positive number". */
export function checkNumber(
  what: string,
  name: string,
  value: unknown,
  rule: string,
  ok: (v: number) => boolean,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new TrainerArgumentError(
      `${what}: \`${name}\` must be ${rule}. Received: ${name}=${String(value)}` +
        (typeof value === 'number' ? '' : ` (${typeof value})`),
    );
  }
  return value;
}
