import cliProgress from 'cli-progress';
import { EvaluationArgumentError } from './errors';

/** Where progress goes: a bar with ETA on a terminal, JSON lines otherwise, or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'json' | 'none';

export interface ProgressSink {
  update(done: number): void;
  stop(done: number): void;
}

/** A writable stream as far as progress needs one (process.stderr, a file, a test buffer). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * `bar`: cli-progress with images/s and ETA (used by `auto` when `stream` is a TTY). `json`: one
 * line per update, at most one a second plus the last, `{"event":"progress","label",…}` — for
 * logs and CI. `total` may be unknown (a stream of images): the ETA is then omitted.
 */
export function createProgress(
  mode: ProgressMode,
  stream: ProgressStream,
  label: string,
  total: number | undefined,
  now: () => number = () => performance.now(),
): ProgressSink {
  if (!['auto', 'bar', 'json', 'none'].includes(mode)) {
    throw new EvaluationArgumentError(
      `Argument \`progress\` must be 'auto', 'bar', 'json' or 'none'. Received: progress=${JSON.stringify(mode)}.`,
    );
  }
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'json') : mode;
  const start = now();
  if (resolved === 'none') return { update() {}, stop() {} };
  if (resolved === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: `${label} [{bar}] {value}/{total} images | {rate} images/s | ETA {eta_formatted}`,
        etaBuffer: 50,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { rate: '0.0' });
    const rate = (done: number) => (done / Math.max((now() - start) / 1000, 1e-9)).toFixed(1);
    return {
      update: (done) => bar.update(done, { rate: rate(done) }),
      stop: (done) => {
        bar.update(done, { rate: rate(done) });
        bar.stop();
      },
    };
  }
  let last = Number.NEGATIVE_INFINITY;
  const line = (done: number, final: boolean) => {
    const seconds = (now() - start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = total !== undefined && rate > 0 ? (total - done) / rate : undefined;
    stream.write(
      `${JSON.stringify({
        event: final ? 'done' : 'progress',
        label,
        done,
        total: total ?? null,
        seconds: Number(seconds.toFixed(3)),
        imagesPerSecond: Number(rate.toFixed(2)),
        etaSeconds: eta === undefined ? null : Number(eta.toFixed(1)),
      })}\n`,
    );
  };
  return {
    update(done) {
      if (now() - last < 1000) return;
      last = now();
      line(done, false);
    },
    stop: (done) => line(done, true),
  };
}
