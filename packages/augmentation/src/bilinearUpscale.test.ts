import { describe, expect, it } from 'vitest';
import { resampleWindow, triangleCoefficients } from './bilinearUpscale';

describe('resampleWindow (PIL bilinear coefficients)', () => {
  it('enlarging ×2 is centre-aligned bilinear with clamped edges', () => {
    // PIL: 1-D [0, 100] → 4 px: centres at source −0.25, 0.25, 0.75, 1.25 → 0, 25, 75, 100
    const src = { data: Uint8Array.from([0, 100]), height: 1, width: 2, channels: 1 };
    const out = resampleWindow(src, 0, 0, 2, 1, 4, 1, [0, 0, 4, 1], false);
    expect(Array.from(out.data)).toEqual([0, 25, 75, 100]);
    const flipped = resampleWindow(src, 0, 0, 2, 1, 4, 1, [1, 0, 2, 1], true);
    expect(Array.from(flipped.data)).toEqual([75, 25]);
  });

  it('reducing ×2 averages with the widened triangle (weights sum to 1)', () => {
    const c = triangleCoefficients(0, 2, 4, 2);
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let i = 0; i < c.count[k]; i++) s += c.weights[k * c.ksize + i];
      expect(s).toBeCloseTo(1, 6);
    }
    const src = { data: Uint8Array.from([10, 10, 10, 10]), height: 1, width: 4, channels: 1 };
    expect(Array.from(resampleWindow(src, 0, 0, 4, 1, 2, 1, [0, 0, 2, 1], false).data)).toEqual([
      10, 10,
    ]);
  });
});
