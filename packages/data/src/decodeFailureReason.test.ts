import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFailureReason, decodeImageBytes, ImageDecodeError } from './index';
import { gradient } from './testing/makeTree';

let good: Buffer;
let truncated: Buffer;
beforeAll(async () => {
  good = await sharp(gradient(40, 60, 5), { raw: { width: 60, height: 40, channels: 3 } })
    .jpeg()
    .toBuffer();
  truncated = good.subarray(0, Math.floor(good.length / 2));
});

describe('decodeFailureReason', () => {
  it('asks libvips again when sharp lost its message ("Unknown error")', async () => {
    const reason = await decodeFailureReason(new Error('Unknown error'), truncated);
    expect(reason).toMatch(/premature end of JPEG/i);
    expect(reason).not.toContain('Unknown error');
  });

  it('states each line of libvips message once', async () => {
    const message = 'VipsJpeg: premature end\nVipsJpeg: no image\nVipsJpeg: premature end\n';
    expect(await decodeFailureReason(new Error(message), truncated)).toBe(
      'VipsJpeg: premature end; VipsJpeg: no image',
    );
  });

  it('describes the bytes when libvips has nothing to say', async () => {
    // The good JPEG decodes on the second try, so libvips has no reason to give.
    expect(await decodeFailureReason(new Error('Unknown error'), good)).toMatch(
      /^libvips gave no message for these \d+ bytes/,
    );
    // An empty reason is asked for again: sharp itself then names the problem.
    expect(await decodeFailureReason(new Error(''), Buffer.alloc(0))).toMatch(/empty/i);
  });

  // The loader decodes 8 images at a time; libvips' single error buffer is shared by them all.
  it('a truncated JPEG decoded among others always gets a stated reason', async () => {
    const reasons: string[] = [];
    for (let round = 0; round < 10; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => decodeImageBytes(i % 2 ? good : truncated, `t${i}`)),
      );
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(ImageDecodeError);
          reasons.push((r.reason as Error).message);
        }
      }
    }
    expect(reasons).toHaveLength(40);
    for (const reason of reasons) {
      expect(reason).not.toContain('Unknown error');
      const parts = reason.replace(/^Cannot decode image t\d: /, '').split('; ');
      expect(new Set(parts).size).toBe(parts.length);
    }
  });
});
