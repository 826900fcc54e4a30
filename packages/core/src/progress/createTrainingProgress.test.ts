import { describe, expect, it } from 'vitest';
import { RectifierArgumentError } from '../errors';
import { fakeStream } from '../testing/fakeStream';
import { createTrainingProgress } from './createTrainingProgress';
import type { ProgressLine } from './progressLine';

/** A clock the test moves by hand. */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const update = (step: number) => ({ step, epoch: 1, loss: 2.5, imagesPerSec: 40, lr: 0.01 });

describe('createTrainingProgress', () => {
  it('lines: parseable JSON, updates at most one per interval, epochs and warnings always', () => {
    const { out, stream } = fakeStream(false);
    const clock = fakeClock();
    const p = createTrainingProgress({ stream, intervalMs: 1000, now: clock.now });
    p.start(100, 0);
    p.update(update(1)); // written: the first
    clock.advance(500);
    p.update(update(2)); // within the interval: dropped
    p.epoch({ epoch: 1, loss: 2.4 });
    p.warn('skipped a corrupt checkpoint');
    clock.advance(600);
    p.update(update(3)); // 1100 ms after the first: written
    p.stop();
    p.update(update(4)); // after stop: dropped
    const lines = out.map((l) => JSON.parse(l) as ProgressLine);
    expect(out.every((l) => l.endsWith('\n'))).toBe(true);
    expect(lines).toEqual([
      { type: 'progress', ...update(1), totalSteps: 100 },
      { type: 'epoch', epoch: 1, loss: 2.4 },
      { type: 'warning', message: 'skipped a corrupt checkpoint' },
      { type: 'progress', ...update(3), totalSteps: 100 },
    ]);
  });

  it('none: writes nothing', () => {
    const { out, stream } = fakeStream(true);
    const p = createTrainingProgress({ mode: 'none', stream });
    p.start(10, 0);
    p.update(update(1));
    p.epoch({ epoch: 1 });
    p.warn('x');
    p.stop();
    expect(out).toEqual([]);
  });

  it('bar on a TTY: step, epoch, loss, images/s and ETA; warnings on their own line; stop() twice is fine', () => {
    const { out, stream } = fakeStream(true);
    const p = createTrainingProgress({ stream });
    p.start(200, 50);
    p.update(update(100));
    p.warn('careful');
    p.stop();
    const after = out.length;
    p.stop();
    p.update(update(150));
    expect(out.length).toBe(after);
    const text = out.join('');
    expect(text).toMatch(/step 100\/200 \| epoch 2 \| ETA .* \| loss 2\.5000 \| 40\.0 img\/s/);
    expect(text).toContain('\ncareful\n');
  });

  it('checks its options by name and value', () => {
    expect(() => createTrainingProgress({ mdoe: 'bar' } as never)).toThrow(
      /`mdoe` \(did you mean `mode`\?\)/,
    );
    expect(() => createTrainingProgress({ mode: 'line' as never })).toThrow(
      /Did you mean 'lines'\?/,
    );
    expect(() => createTrainingProgress({ intervalMs: -1 })).toThrow(RectifierArgumentError);
    expect(() => createTrainingProgress({ stream: {} as never })).toThrow(/write\(chunk\)/);
  });

  it("accepts 'json' as another name for 'lines'", () => {
    const { out, stream } = fakeStream(true);
    const p = createTrainingProgress({ mode: 'json', stream });
    p.warn('w');
    expect(JSON.parse(out[0])).toEqual({ type: 'warning', message: 'w' });
  });
});
