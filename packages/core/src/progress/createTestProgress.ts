import cliProgress from 'cli-progress';
import { checkNumber } from '../argumentChecks';
import { RectifierArgumentError } from '../errors';
import { received } from '../received';
import type { TestProgressLine, WarningLine } from './progressLine';
import { lineWriter, type ProgressOptions, resolveProgressOptions } from './progressOptions';

/** Progress of one test pass: images scored out of a total. */
export interface TestProgress {
  /** `images` scored so far (a running count, not an increment). */
  update(images: number): void;
  /** A message that must be seen: written in every mode but `none`, even after `stop`. */
  warn(message: string): void;
  /** Ends the display with the final count (default the last update's); later calls do nothing. */
  stop(images?: number): void;
}

/**
 * Testing a 10,000-image split with 10 views takes minutes on a CPU: like training, a bar with
 * images/s and ETA on a TTY, otherwise a {@link TestProgressLine} at most every `intervalMs` and
 * a last one (`final: true`) at `stop`. `total` may be unknown (a stream of images): the ETA is
 * then omitted.
 */
export function createTestProgress(
  label: string,
  total: number | undefined,
  options?: ProgressOptions,
): TestProgress {
  const r = resolveProgressOptions(options, 'createTestProgress');
  if (typeof label !== 'string') {
    throw new RectifierArgumentError(
      `Argument \`label\` of createTestProgress must be a string. Received: label=${received(label)}`,
    );
  }
  if (total !== undefined) {
    checkNumber(
      'total',
      total,
      'an integer ≥ 0 or undefined',
      (v) => Number.isInteger(v) && v >= 0,
    );
  }
  const t0 = r.now();
  const seconds = () => (r.now() - t0) / 1000;
  const rate = (images: number) => images / Math.max(seconds(), 1e-9);
  let stopped = false;
  let done = 0;
  if (r.mode === 'none') return { update() {}, warn() {}, stop() {} };
  if (r.mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream: r.stream as NodeJS.WritableStream,
        format: 'testing {label} {bar} {value}/{total} images | ETA {eta_formatted} | {ips} img/s',
        etaBuffer: 20,
        hideCursor: true,
        noTTYOutput: !r.stream.isTTY,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { label, ips: '-' });
    return {
      update: (images) => {
        if (stopped) return;
        done = images;
        bar.update(images, { ips: rate(images).toFixed(1) });
      },
      warn: (m) => r.stream.write(`\n${m}\n`),
      stop: (images = done) => {
        if (stopped) return;
        stopped = true;
        bar.update(images, { ips: rate(images).toFixed(1) });
        bar.stop();
      },
    };
  }
  const line = lineWriter(r);
  const record = (images: number, final: boolean): TestProgressLine => {
    const s = seconds();
    const perSec = s > 0 ? images / s : 0;
    return {
      type: 'test-progress',
      label,
      images,
      total: total ?? null,
      seconds: Number(s.toFixed(3)),
      imagesPerSec: Number(perSec.toFixed(2)),
      etaSeconds:
        total !== undefined && perSec > 0 ? Number(((total - images) / perSec).toFixed(1)) : null,
      final,
    };
  };
  return {
    update: (images) => {
      if (stopped) return;
      done = images;
      line(record(images, false));
    },
    warn: (m) => line({ type: 'warning', message: m } satisfies WarningLine, true),
    stop: (images = done) => {
      if (stopped) return;
      stopped = true;
      line(record(images, true), true);
    },
  };
}
