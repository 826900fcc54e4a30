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
