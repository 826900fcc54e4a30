import { describe, expect, it } from 'vitest';
import { createTestProgress } from './testProgress';

const capture = (isTTY: boolean) => {
  const out: string[] = [];
  const stream = {
    isTTY,
    write: (m: string) => out.push(m),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    columns: 200,
  };
  return { out, stream: stream as never };
};

describe('createTestProgress', () => {
  it('not a TTY: JSON lines, throttled, and a last one with the final count', () => {
    const { out, stream } = capture(false);
    const p = createTestProgress('tenView(92, 80)', 100, 'auto', stream, 60_000);
    for (let n = 10; n <= 100; n += 10) p.update(n);
    p.stop();
    const lines = out.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2); // the first update, then stop; the rest fell in the interval
    expect(lines[0]).toMatchObject({
      type: 'test-progress',
      label: 'tenView(92, 80)',
      images: 10,
      total: 100,
    });
    expect(lines[1]).toMatchObject({ images: 100, total: 100 });
    expect(lines[1].imagesPerSec).toBeGreaterThan(0);
  });

  it('a TTY: a bar with the label, images, ETA and images/s', () => {
    const { out, stream } = capture(true);
    const p = createTestProgress('center(92, 80)', 50, 'auto', stream);
    p.update(25);
    p.stop();
    const text = out.join('');
    expect(text).toMatch(/testing center\(92, 80\)/);
    expect(text).toMatch(/25\/50 images/);
    expect(text).toMatch(/ETA/);
    expect(text).toMatch(/img\/s/);
  });

  it('none: nothing', () => {
    const { out, stream } = capture(true);
    const p = createTestProgress('center', 5, 'none', stream);
    p.update(5);
    p.stop();
    expect(out).toEqual([]);
  });
});
