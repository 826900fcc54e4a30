/** Base class of every error `@rectifier/initializers` throws on purpose. */
export class InitializerError extends Error {
  override name = 'InitializerError';
}

/** Bad arguments to an initializer or a function of this package. */
export class InitializerArgumentError extends InitializerError {
  override name = 'InitializerArgumentError';
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
    throw new InitializerArgumentError(
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
  throw new InitializerArgumentError(
    `Unknown option${unknown.length > 1 ? 's' : ''} for ${where}: ${named.join(', ')}. ` +
      `Valid options: ${valid.join(', ')}.`,
  );
}

/** Added by tfjs's deserializer to the config it rebuilds an initializer from. */
export const deserializerKeys = ['customObjects'] as const;
