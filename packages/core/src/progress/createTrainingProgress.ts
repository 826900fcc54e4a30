import cliProgress from 'cli-progress';
import type { EpochLine, TrainingProgressLine, TrainingUpdate, WarningLine } from './progressLine';
import { lineWriter, type ProgressOptions, resolveProgressOptions } from './progressOptions';

/** The progress display of a training run. Metrics logs are written elsewhere whatever this shows. */
export interface TrainingProgress {
  /** The run has `totalSteps` steps, `doneSteps` of them already done (a resumed run). */
  start(totalSteps: number, doneSteps: number): void;
  update(u: TrainingUpdate): void;
  /** An epoch ended: lines mode writes the summary; the bar keeps going. */
  epoch(summary: Record<string, unknown>): void;
  /** A message that must be seen: written in every mode but `none`, even after `stop`. */
  warn(message: string): void;
  /** Ends the display; later calls (and updates) do nothing. */
  stop(): void;
}

/**
 * `bar`: cli-progress with step, epoch, ETA, loss and images/s. `lines`: a
 * {@link TrainingProgressLine} at most every `intervalMs`, an {@link EpochLine} at every epoch
 * end, a {@link WarningLine} per warning.
 */
export function createTrainingProgress(options?: ProgressOptions): TrainingProgress {
  const r = resolveProgressOptions(options, 'createTrainingProgress');
  let stopped = false;
  if (r.mode === 'none') return { start() {}, update() {}, epoch() {}, warn() {}, stop() {} };
  if (r.mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream: r.stream as NodeJS.WritableStream,
        format:
          '{bar} {percentage}% | step {value}/{total} | epoch {epoch} | ETA {eta_formatted} | loss {loss} | {ips} img/s',
        etaBuffer: 50,
        hideCursor: true,
        noTTYOutput: !r.stream.isTTY,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total, done) => bar.start(total, done, { epoch: '-', loss: '-', ips: '-' }),
      update: (u) => {
        if (stopped) return;
        bar.update(u.step, {
          // People count epochs from 1, as the reports' charts do; records keep the 0-based index.
          epoch: u.epoch + 1,
          loss: u.loss.toFixed(4),
          ips: u.imagesPerSec.toFixed(1),
        });
      },
      epoch: () => {},
      warn: (m) => r.stream.write(`\n${m}\n`),
      stop: () => {
        if (stopped) return;
        stopped = true;
        bar.stop();
      },
    };
  }
  const line = lineWriter(r);
  let totalSteps = 0;
  return {
    start: (total) => {
      totalSteps = total;
    },
    update: (u) => {
      if (!stopped) line({ type: 'progress', ...u, totalSteps } satisfies TrainingProgressLine);
    },
    epoch: (s) => {
      if (!stopped) line({ type: 'epoch', ...s } satisfies EpochLine, true);
    },
    warn: (m) => line({ type: 'warning', message: m } satisfies WarningLine, true),
    stop: () => {
      stopped = true;
    },
  };
}
