import cliProgress from 'cli-progress';

/** How progress is shown: a bar (TTY), JSON lines, or nothing. `auto` = bar on a TTY, else lines. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** A writable stream; `isTTY` decides `auto`. Default `process.stderr`. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface ProgressUpdate {
  step: number;
  epoch: number;
  loss: number;
  imagesPerSec: number;
  lr: number;
}

/** The progress display of a run. Metrics always go to metrics.jsonl whatever this shows. */
export interface Progress {
  start(totalSteps: number, doneSteps: number): void;
  update(u: ProgressUpdate): void;
  /** An epoch ended (lines mode prints it; bar mode keeps the bar). */
  epoch(summary: Record<string, unknown>): void;
  /** A message that must be seen (a skipped corrupt checkpoint): printed in every mode but `none`. */
  warn(message: string): void;
  stop(): void;
}

/**
 * `bar`: cli-progress with ETA, loss and images/s. `lines`: one JSON object per line at most
 * every `intervalMs` (default 5 s) and at every epoch end — logs of non-interactive jobs stay
 * short and machine-readable.
 */
export function createProgress(
  mode: ProgressMode,
  stream: ProgressStream = process.stderr,
  intervalMs = 5000,
): Progress {
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') {
    return { start() {}, update() {}, epoch() {}, warn() {}, stop() {} };
  }
  if (resolved === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          '{bar} {percentage}% | step {value}/{total} | epoch {epoch} | ETA {eta_formatted} | loss {loss} | {ips} img/s',
        etaBuffer: 50,
        hideCursor: true,
        noTTYOutput: !stream.isTTY,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total, done) => bar.start(total, done, { epoch: '-', loss: '-', ips: '-' }),
      update: (u) =>
        bar.update(u.step, {
          // People count epochs from 1, as the reports' charts do; records keep the 0-based index.
          epoch: u.epoch + 1,
          loss: u.loss.toFixed(4),
          ips: u.imagesPerSec.toFixed(1),
        }),
      epoch: () => {},
      warn: (m) => stream.write(`\n${m}\n`),
      stop: () => bar.stop(),
    };
  }
  let last = Number.NEGATIVE_INFINITY;
  let total = 0;
  const line = (o: Record<string, unknown>) => stream.write(`${JSON.stringify(o)}\n`);
  return {
    start: (t) => {
      total = t;
    },
    update(u) {
      const now = performance.now();
      if (now - last < intervalMs) return;
      last = now;
      line({ type: 'progress', ...u, totalSteps: total });
    },
    epoch: (s) => line({ type: 'epoch', ...s }),
    warn: (m) => line({ type: 'warning', message: m }),
    stop() {},
  };
}
