import { closestName, RectifierArgumentError, RectifierError } from '@rectifier/core';

/** Base class of every error `@rectifier/evaluation` throws on purpose. */
export class EvaluationError extends RectifierError {}

/**
 * Bad arguments to a protocol, the metrics or a report (a `RectifierArgumentError`: exit code 2 in
 * the CLI).
 */
export class EvaluationArgumentError extends RectifierArgumentError {}

/**
 * At some test scale the trunk's last feature map is smaller than one dense window (the map the
 * trunk gives for a training crop), so no window fits. Raised when a protocol is created, before
 * any image is read. A bad value the caller gave, so an {@link EvaluationArgumentError}.
 */
export class ScaleTooSmallError extends EvaluationArgumentError {
  constructor(
    /** The shorter image side that was asked for. */
    readonly scale: number,
    /** The feature map side the trunk gives at `scale`. */
    readonly mapSide: number,
    /** The window side (the feature map of one crop). */
    readonly window: number,
    /** The smallest shorter side whose feature map holds one window. */
    readonly smallestScale: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Argument \`scale\` is too small for dense evaluation: at scale=${scale} the last feature ` +
        `map is ${mapSide}×${mapSide}, smaller than one ${window}×${window} window. ` +
        `Use scale ≥ ${smallestScale}.`,
      options,
    );
  }
}

/**
 * Rejects option keys that are not in `valid`, naming the closest valid key (`closestName` of
 * `@rectifier/core`), in this package's wording (`dense: unknown option …`).
 */
export function checkKeys(where: string, options: object, valid: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !valid.includes(k));
  if (unknown.length === 0) return;
  const hints = unknown.map((k) => {
    const near = closestName(k, valid);
    return `\`${k}\`${near ? ` (did you mean \`${near}\`?)` : ''}`;
  });
  throw new EvaluationArgumentError(
    `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${hints.join(', ')}. ` +
      `Valid options: ${valid.map((k) => `\`${k}\``).join(', ')}.`,
  );
}
