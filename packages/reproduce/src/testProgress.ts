import type { ProgressMode, ProgressStream } from '@rectifier/trainer';
import cliProgress from 'cli-progress';

/** Progress of one test pass: images scored out of a total. */
export interface TestProgress {
  update(images: number): void;
  stop(): void;
}

/**
 * Testing a 10,000-image split with 10 views takes minutes on a CPU: like training, a bar with
 * ETA on a TTY, JSON lines (at most every `intervalMs`, and one at the end) otherwise.
 */
export function createTestProgress(
  label: string,
  total: number,
  mode: ProgressMode = 'auto',
  stream: ProgressStream = process.stderr,
  intervalMs = 5000,
): TestProgress {
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  const t0 = performance.now();
  const rate = (n: number) => n / Math.max((performance.now() - t0) / 1000, 1e-9);
  if (resolved === 'none') return { update() {}, stop() {} };
  if (resolved === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'testing {label} {bar} {value}/{total} images | ETA {eta_formatted} | {ips} img/s',
        etaBuffer: 20,
        hideCursor: true,
        noTTYOutput: !stream.isTTY,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { label, ips: '-' });
    return {
      update: (n) => bar.update(n, { ips: rate(n).toFixed(1) }),
      stop: () => bar.stop(),
    };
  }
  let last = Number.NEGATIVE_INFINITY;
  let done = 0;
  const line = (images: number) =>
    stream.write(
      `${JSON.stringify({ type: 'test-progress', label, images, total, imagesPerSec: rate(images) })}\n`,
    );
  return {
    update(n) {
      done = n;
      const now = performance.now();
      if (now - last < intervalMs) return;
      last = now;
      line(n);
    },
    stop: () => line(done),
  };
}
