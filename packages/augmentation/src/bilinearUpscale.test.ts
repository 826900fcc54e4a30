import { createRng } from '@rectifier/data';
import { needsSystemPackage } from '@rectifier/test-utils';
import { describe, expect, it } from 'vitest';
import {
  resampleWindow,
  resampleWindowJs,
  sourceRange,
  triangleCoefficients,
  type WindowResample,
} from './bilinearUpscale';
import { loadJpegAddon } from './jpegAddon';

const addon = loadJpegAddon();

/** The whole source (inW × inH) resized to outW × outH: the given window of it. */
const at = (
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  window: WindowResample['window'],
  flip: boolean,
): WindowResample => ({ srcX: 0, srcY: 0, inW, inH, outW, outH, window, flip });

describe('resampleWindow (PIL bilinear coefficients)', () => {
  it('enlarging ×2 is centre-aligned bilinear with clamped edges', () => {
    // PIL: 1-D [0, 100] → 4 px: centres at source −0.25, 0.25, 0.75, 1.25 → 0, 25, 75, 100
    const src = { data: Uint8Array.from([0, 100]), height: 1, width: 2, channels: 1 };
    const out = resampleWindow(src, at(2, 1, 4, 1, [0, 0, 4, 1], false));
    expect(Array.from(out.data)).toEqual([0, 25, 75, 100]);
    const flipped = resampleWindow(src, at(2, 1, 4, 1, [1, 0, 2, 1], true));
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
    expect(Array.from(resampleWindow(src, at(4, 1, 2, 1, [0, 0, 2, 1], false)).data)).toEqual([
      10, 10,
    ]);
  });
});

describe.runIf(
  needsSystemPackage({
    tests: 'resampleWindow in C (libjpeg-turbo addon) tests',
    available: !(addon instanceof Error),
    reason: addon instanceof Error ? addon.message.split(':')[0] : undefined,
    install: 'apt-get install libjpeg62-turbo-dev, then npm install',
    requireEnv: 'RECTIFIER_REQUIRE_JPEG',
  }),
)('resampleWindow in C', () => {
  it('gives the JS resampler’s bits: 1–4 channels, ×0.3–×3, flips, uint8 and float + shift', () => {
    // The C code specialises RGB and grey and 1–5 taps per pass (more: ×0.3 reads up to 7);
    // 2 and 4 channels take its general path. Right-edge columns have fewer taps than the
    // widest one and are padded from the left: random windows reach both edges.
    const rng = createRng(24);
    for (let trial = 0; trial < 500; trial++) {
      const c = [1, 2, 3, 3, 3, 4][rng.int(0, 5)];
      const inW = rng.int(5, 90);
      const inH = rng.int(5, 90);
      const outW = Math.max(1, Math.round(inW * (0.3 + 2.7 * rng.next())));
      const outH = Math.max(1, Math.round(inH * (0.3 + 2.7 * rng.next())));
      const width = rng.int(1, outW);
      const height = rng.int(1, outH);
      const left = rng.int(0, outW - width);
      const top = rng.int(0, outH - height);
      // the source window the output reads, as geometry.ts cuts it
      const [x0, x1] = sourceRange(left, width, inW, outW);
      const [y0, y1] = sourceRange(top, height, inH, outH);
      const sw = x1 - x0 + 1;
      const sh = y1 - y0 + 1;
      const data = new Uint8Array(sw * sh * c);
      for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
      const src = { data, width: sw, height: sh, channels: c };
      const flip = rng.next() < 0.5;
      const float =
        trial % 2 ? { shift: Array.from({ length: c }, () => rng.normal() * 20) } : undefined;
      const w: [number, number, number, number] = [left, top, width, height];
      const r = { srcX: x0, srcY: y0, inW, inH, outW, outH, window: w, flip, float };
      const want = resampleWindowJs(src, r);
      const got = resampleWindow(src, r);
      expect(got.data.constructor).toBe(want.data.constructor);
      const same = Buffer.compare(
        Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength),
        Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength),
      );
      expect(same, `trial ${trial}: ${inW}×${inH} → ${outW}×${outH}, window ${w}`).toBe(0);
    }
  });

  it('refuses taps outside the source it is given instead of reading past it', () => {
    if (addon instanceof Error) return;
    const cx = triangleCoefficients(0, 4, 8, 4);
    const src = new Uint8Array(3 * 8); // one row of 3 pixels, though the taps reach pixel 7
    expect(() =>
      addon.resampleWindow(
        src,
        3,
        1,
        0,
        0,
        cx.first,
        cx.count,
        cx.fixed,
        cx.ksize,
        cx.first,
        cx.count,
        cx.fixed,
        cx.ksize,
        false,
        new Float64Array(1),
        new Uint8Array(16),
      ),
    ).toThrow(/outside the source window/);
  });
});
