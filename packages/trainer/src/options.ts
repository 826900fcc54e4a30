import { TrainerArgumentError } from './errors';

/** Edit distance, to name the closest valid key of a misspelt option. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The valid key nearest to `key`. */
export function closest(key: string, valid: readonly string[]): string {
  return valid.reduce((best, k) => (distance(key, k) < distance(key, best) ? k : best), valid[0]);
}

/**
 * Rejects unknown keys of an options object, all of them at once, each with the closest valid
 * key (`what` names the function, e.g. `sgd`).
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
        .map((k) => `${what}: unknown option \`${k}\`; did you mean \`${closest(k, valid)}\`?`)
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
