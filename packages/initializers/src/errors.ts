/** Base class of every error `@rectifier/initializers` throws on purpose. */
export class InitializerError extends Error {
  override name = 'InitializerError';
}

/** Bad arguments to an initializer or a function of this package. */
export class InitializerArgumentError extends InitializerError {
  override name = 'InitializerArgumentError';
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
