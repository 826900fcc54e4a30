import { describe, expect, it } from 'vitest';
import { fakeStream } from '../testing/fakeStream';
import { createTestProgress } from './createTestProgress';
import type { TestProgressLine } from './progressLine';

describe('createTestProgress', () => {
  it('lines: throttled updates with images/s and ETA, then one final line', () => {
    const { out, stream } = fakeStream(false);
    let t = 0;
    const p = createTestProgress('tenView(92, 80)', 100, {
      stream,
      intervalMs: 60_000,
      now: () => t,
    });
    for (let n = 10; n <= 100; n += 10) {
      t += 1000; // 10 images a second
      p.update(n);
    }
    p.stop();
    p.stop(); // idempotent: no second final line
    const lines = out.map((l) => JSON.parse(l) as TestProgressLine);
    expect(lines).toEqual([
      {
        type: 'test-progress',
        label: 'tenView(92, 80)',
        images: 10,
        total: 100,
        seconds: 1,
        imagesPerSec: 10,
        etaSeconds: 9,
        final: false,
      },
      {
        type: 'test-progress',
        label: 'tenView(92, 80)',
        images: 100,
        total: 100,
        seconds: 10,
        imagesPerSec: 10,
        etaSeconds: 0,
        final: true,
      },
    ]);
  });

  it('an unknown total gives no ETA; stop(n) reports n', () => {
    const { out, stream } = fakeStream(false);
    let t = 0;
    const p = createTestProgress('stream', undefined, { stream, now: () => t });
    t = 2000;
    p.stop(30);
    expect(JSON.parse(out[0])).toMatchObject({
      images: 30,
      total: null,
      etaSeconds: null,
      imagesPerSec: 15,
    });
  });

  it('bar on a TTY: the label, images, ETA and images/s', () => {
    const { out, stream } = fakeStream(true);
    const p = createTestProgress('center(92, 80)', 50, { stream });
    p.update(25);
    p.stop(50);
    const after = out.length;
    p.stop(); // idempotent
    expect(out.length).toBe(after);
    const text = out.join('');
    expect(text).toMatch(/testing center\(92, 80\)/);
    expect(text).toMatch(/50\/50 images/);
    expect(text).toMatch(/ETA/);
    expect(text).toMatch(/img\/s/);
  });

  it('none: nothing', () => {
    const { out, stream } = fakeStream(true);
    const p = createTestProgress('center', 5, { mode: 'none', stream });
    p.update(5);
    p.warn('x');
    p.stop();
    expect(out).toEqual([]);
  });

  it('checks its arguments', () => {
    expect(() => createTestProgress('x', -1)).toThrow(/`total` must be an integer ≥ 0/);
    expect(() => createTestProgress(3 as never, 1)).toThrow(/`label`.*Received: label=3/);
  });
});
