/** Base class of every error `@rectifier/evaluation` throws on purpose. */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

/** Bad arguments to a protocol, the metrics or a report. */
export class EvaluationArgumentError extends EvaluationError {
  override name = 'EvaluationArgumentError';
}

/**
 * At some test scale the trunk's last feature map is smaller than one dense window (the map the
 * trunk gives for a training crop), so no window fits. Raised when a protocol is created, before
 * any image is read.
 */
export class ScaleTooSmallError extends EvaluationError {
  override name = 'ScaleTooSmallError';
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

/** Rejects option keys that are not in `valid`, naming the closest valid key. */
export function checkKeys(where: string, options: object, valid: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !valid.includes(k));
  if (unknown.length === 0) return;
  const hints = unknown.map((k) => {
    const near = closest(k, valid);
    return `\`${k}\`${near ? ` (did you mean \`${near}\`?)` : ''}`;
  });
  throw new EvaluationArgumentError(
    `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${hints.join(', ')}. ` +
      `Valid options: ${valid.map((k) => `\`${k}\``).join(', ')}.`,
  );
}

/** The valid key at the smallest edit distance (at most half its length), if any. */
function closest(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const v of valid) {
    const d = editDistance(key.toLowerCase(), v.toLowerCase());
    if (d < bestDistance) {
      best = v;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, best.length / 2) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}
