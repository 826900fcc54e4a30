import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, decodeImage } from '@rectifier/data';
import { describe, expect, it } from 'vitest';
import { compose } from './compose';
import {
  centerCrop,
  horizontalFlip,
  type ResizeKernel,
  randomCrop,
  resizeShorter,
  tenCrop,
} from './transforms';

const FIX = join(import.meta.dirname, 'fixtures');
type Px = { shape: number[]; data: string };
const fixture = JSON.parse(readFileSync(join(FIX, 'torchvision_parity.json'), 'utf8'));
const px = (p: Px) => Uint8Array.from(Buffer.from(p.data, 'base64'));

/** Mean and max absolute difference in 0..255 levels. */
function diff(ours: ArrayLike<number>, theirs: Uint8Array) {
  expect(ours.length).toBe(theirs.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < theirs.length; i++) {
    const d = Math.abs(ours[i] - theirs[i]);
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / theirs.length, max };
}

// Tolerances (0..255 levels) stated in docs/packages/augmentation.md, for what libvips resizes
// (other kernels, 'linear' reductions below ½: sharp 'linear' vs PIL antialiased bilinear was
// mean 0.24, max 6 — same triangle filter, taps and rounding differ). 'linear' resizes down to ½
// are exact (test below).
const MEAN_TOL = 1.0;
const MAX_TOL = 12;
// Upscale (JS bilinear window, float output vs PIL's uint8): only PIL's rounding remains.
const UP_MAX_TOL = 1.5;

describe('parity with torchvision + PIL on real photographs', () => {
  for (const c of fixture.cases) {
    const bytes = readFileSync(join(FIX, 'photos', c.file));
    const run = (...t: Parameters<typeof compose>) => compose(...t).applyAll(bytes, createRng(1));

    it(`${c.file}: resizeShorter(${c.resize.size}) down and (${c.upsize.size}) up, same size and pixels`, async () => {
      const [down] = await run(resizeShorter(c.resize.size));
      expect([down.height, down.width, down.channels]).toEqual(c.resize.shape);
      const d = diff(down.data, px(c.resize));
      expect(d.mean).toBeLessThan(MEAN_TOL);
      expect(d.max).toBeLessThan(MAX_TOL);
      const [up] = await run(resizeShorter(c.upsize.size));
      expect([up.height, up.width, up.channels]).toEqual(c.upsize.shape);
      const u = diff(up.data, px(c.upsize));
      expect(u.mean).toBeLessThan(MEAN_TOL);
      expect(u.max).toBeLessThan(UP_MAX_TOL);
    });

    it(`${c.file}: centerCrop and flip in one pipeline`, async () => {
      const [cc] = await run(resizeShorter(c.resize.size), centerCrop(c.centerCrop.size));
      expect([cc.height, cc.width, cc.channels]).toEqual(c.centerCrop.shape);
      expect(diff(cc.data, px(c.centerCrop)).mean).toBeLessThan(MEAN_TOL);
      const [fl] = await run(resizeShorter(c.resize.size), horizontalFlip(1));
      expect(diff(fl.data, px(c.resizeFlip)).mean).toBeLessThan(MEAN_TOL);
    });

    for (const which of ['resize', 'upsize'] as const) {
      it(`${c.file}: random crop + flip after ${which} equals torchvision's image cropped at the planned offset`, async () => {
        const w = c[which].shape[1];
        const plain = px(c[which]);
        for (let seed = 0; seed < 6; seed++) {
          const p = compose(resizeShorter(c[which].size), randomCrop(24), horizontalFlip(0.5));
          const plan = p.plan(c.width, c.height, createRng(seed));
          const out = await p.apply(bytes, createRng(seed));
          // plan.postCrop is in unflipped coordinates of the resized image.
          const [left, top] = plan.postCrop as number[];
          const want = new Uint8Array(24 * 24 * 3);
          for (let y = 0; y < 24; y++)
            for (let x = 0; x < 24; x++)
              for (let k = 0; k < 3; k++) {
                const sx = plan.flip ? left + 23 - x : left + x;
                want[(y * 24 + x) * 3 + k] = plain[((top + y) * w + sx) * 3 + k];
              }
          const d = diff(out.data, want);
          expect(d.mean).toBeLessThan(MEAN_TOL);
          expect(d.max).toBeLessThan(which === 'resize' ? MAX_TOL : UP_MAX_TOL);
        }
      });
    }

    it(`${c.file}: tenCrop order matches torchvision TenCrop`, async () => {
      const crops = await run(resizeShorter(c.resize.size), tenCrop(c.tenCrop.size));
      expect(crops).toHaveLength(10);
      c.tenCrop.crops.forEach((ref: Px, k: number) => {
        const d = diff(crops[k].data, px(ref));
        expect(d.mean, `crop ${k}`).toBeLessThan(MEAN_TOL);
        // and it is not closer to any other crop (order, not just content)
        for (let j = 0; j < 10; j++) {
          if (j !== k) expect(diff(crops[j].data, px(ref)).mean).toBeGreaterThan(d.mean);
        }
      });
    });
  }

  it("'linear' enlargements and reductions down to ½ reproduce Pillow's 8-bit arithmetic exactly", async () => {
    // resampleWindow runs Pillow's fixed-point two-pass filter, so from the same decoded pixels
    // (PNG photos here) the result is torchvision's, bit for bit. (Reductions below ½ go to
    // libvips; the fixture's are ×0.64–0.66.)
    for (const c of fixture.cases) {
      const bytes = readFileSync(join(FIX, 'photos', c.file));
      for (const which of ['upsize', 'resize'] as const) {
        const [o] = await compose(resizeShorter(c[which].size)).applyAll(bytes, createRng(0));
        expect(diff(o.data, px(c[which])).max, `${c.file} ${which}`).toBe(0);
      }
    }
  });

  it('JPEG decoding (sharp/mozjpeg vs PIL/libjpeg-turbo) agrees on a real photo', async () => {
    const img = await decodeImage(join(FIX, 'photos', fixture.jpeg.file));
    const d = diff(img.data, px(fixture.jpeg));
    expect(d.mean).toBeLessThan(1.5);
  });

  it('reports the measured parity per kernel (documentation numbers)', async () => {
    const rows: string[] = [];
    for (const kernel of ['linear', 'cubic', 'lanczos3'] as ResizeKernel[]) {
      let mean = 0;
      let max = 0;
      for (const c of fixture.cases) {
        const bytes = readFileSync(join(FIX, 'photos', c.file));
        const [o] = await compose(resizeShorter(c.resize.size, { kernel })).applyAll(
          bytes,
          createRng(0),
        );
        const d = diff(o.data, px(c.resize));
        mean += d.mean / fixture.cases.length;
        max = Math.max(max, d.max);
      }
      rows.push(`${kernel}: mean ${mean.toFixed(3)} max ${max}`);
      if (kernel === 'linear') expect(mean).toBeLessThan(MEAN_TOL);
    }
    console.log(`resize parity vs torchvision bilinear (0..255 levels):\n  ${rows.join('\n  ')}`);
  });
});
