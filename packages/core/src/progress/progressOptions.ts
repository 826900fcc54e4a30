import { checkNumber, checkOneOf } from '../argumentChecks';
import { checkOptionKeys } from '../checkOptionKeys';
import { RectifierArgumentError } from '../errors';

/**
 * How progress is shown: `bar` (cli-progress with ETA, for a terminal), `lines` (one JSON object
 * per line, for logs and CI), `none`, or `auto` = `bar` when the stream is a TTY, else `lines`.
 * `json` is accepted as another name for `lines` (evaluation's former word).
 */
export const progressModes = ['auto', 'bar', 'lines', 'json', 'none'] as const;

/** One of {@link progressModes}. */
export type ProgressMode = (typeof progressModes)[number];

/** A writable stream as far as progress needs one (process.stderr, a file, a test buffer). */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** Decides `auto`: a bar on a TTY, JSON lines otherwise. */
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Default `'auto'`. */
  mode?: ProgressMode;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /**
   * Lines mode writes an update at most this often (ms); epoch ends, warnings and the final
   * line are always written. Default 5000: a job's log stays short.
   */
  intervalMs?: number;
  /** The clock, in ms (default `performance.now`); tests pass a fake one. */
  now?: () => number;
}

/** The options with defaults applied and `auto`/`json` resolved. */
export interface ResolvedProgress {
  mode: 'bar' | 'lines' | 'none';
  stream: ProgressStream;
  intervalMs: number;
  now: () => number;
}

const keys = ['mode', 'stream', 'intervalMs', 'now'];

export function resolveProgressOptions(
  options: ProgressOptions | undefined,
  where: string,
): ResolvedProgress {
  checkOptionKeys(options, keys, where);
  const o = options ?? {};
  const mode = checkOneOf('mode', o.mode ?? 'auto', progressModes);
  const stream = o.stream ?? (mode === 'none' ? { write: () => true } : defaultStream());
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw new RectifierArgumentError(
      `Option \`stream\` of ${where} must have a write(chunk) method (process.stderr, a file stream).`,
    );
  }
  const intervalMs = checkNumber('intervalMs', o.intervalMs ?? 5000, 'a number ≥ 0', (v) => v >= 0);
  if (o.now !== undefined && typeof o.now !== 'function') {
    throw new RectifierArgumentError(`Option \`now\` of ${where} must be a function returning ms.`);
  }
  const resolved =
    mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode === 'json' ? 'lines' : mode;
  return { mode: resolved, stream, intervalMs, now: o.now ?? (() => performance.now()) };
}

/** process.stderr where there is one; read lazily so the module loads without `process`. */
function defaultStream(): ProgressStream {
  const p = (globalThis as { process?: { stderr?: ProgressStream } }).process;
  if (p?.stderr === undefined) {
    throw new RectifierArgumentError(
      'There is no process.stderr here (a browser?): pass `stream`, or use mode `none`.',
    );
  }
  return p.stderr;
}

/** Writes at most one line per `intervalMs`; `force` lines (epoch ends, the last) always go. */
export function lineWriter(r: ResolvedProgress) {
  let last = Number.NEGATIVE_INFINITY;
  return (record: object, force = false): void => {
    const t = r.now();
    if (!force && t - last < r.intervalMs) return;
    if (!force) last = t;
    r.stream.write(`${JSON.stringify(record)}\n`);
  };
}
