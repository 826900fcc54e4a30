import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeImageBytes } from './decodeImage';
import { DataArgumentError } from './errors';
import fixtures from './fixtures/icc/icc.json';

// tools/fixtures/data_icc.py: a real photo (scikit-image's rocket.jpg) carrying an Adobe RGB
// (1998) profile, the same pixels with a ProPhoto profile and with none, and PIL's readings.
const dir = join(import.meta.dirname, 'fixtures', 'icc');
type Entry = { width: number; height: number; pil: string; pilColourManaged?: string };
const files = Object.entries(fixtures.files as Record<string, Entry>);
const pixels = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

function diff(a: Uint8Array, b: Uint8Array) {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / a.length, max };
}

describe('embedded ICC profiles', () => {
  it.each(files)(
    'default decode ignores the profile: bit-exact with PIL / torchvision (%s)',
    async (name, e) => {
      const img = await decodeImage(join(dir, name));
      expect([img.width, img.height, img.channels]).toEqual([e.width, e.height, 3]);
      // Before: converted through the profile, 5.4 levels off PIL on average (max 26) with
      // Adobe RGB and 22.1 (max 75) with ProPhoto.
      expect(diff(img.data, pixels(e.pil))).toEqual({ mean: 0, max: 0 });
    },
  );

  it.each(files.filter(([, e]) => e.pilColourManaged))(
    "iccProfile: 'convert' is colour-managed: PIL's lcms2 sRGB conversion to the last 8-bit rounding (%s)",
    async (name, e) => {
      const bytes = readFileSync(join(dir, name));
      const managed = await decodeImageBytes(bytes, name, { iccProfile: 'convert' });
      // libvips and PIL both run lcms2 on the same profiles; they differ only in where they
      // round to 8 bits (PIL's 8-bit optimised transform), so at most 1 level.
      const d = diff(managed.data, pixels(e.pilColourManaged as string));
      expect(d.max).toBeLessThanOrEqual(1);
      expect(d.mean).toBeLessThan(0.01);
      // And it really converts: far from the stored values.
      expect(diff(managed.data, pixels(e.pil)).mean).toBeGreaterThan(3);
    },
  );

  it('without a profile both modes give the stored values', async () => {
    const e = fixtures.files['rocket_noprofile.jpg'] as Entry;
    const bytes = readFileSync(join(dir, 'rocket_noprofile.jpg'));
    const managed = await decodeImageBytes(bytes, 'x', { iccProfile: 'convert' });
    expect(diff(managed.data, pixels(e.pil)).max).toBe(0);
  });

  it('a CMYK JPEG goes through its embedded profile in both modes (its values are not RGB)', async () => {
    // rocket_cmyk.jpg carries Ghostscript's PS CMYK profile, not libvips' default one: read
    // without it (sharp's ignoreIcc), the RGB values move by up to 89 levels.
    const bytes = readFileSync(join(dir, 'rocket_cmyk.jpg'));
    const byDefault = await decodeImageBytes(bytes);
    const managed = await decodeImageBytes(bytes, 'x', { iccProfile: 'convert' });
    expect(diff(byDefault.data, managed.data).max).toBe(0);
    const profileDropped = await sharp(bytes, { ignoreIcc: true })
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    expect(diff(byDefault.data, new Uint8Array(profileDropped)).max).toBeGreaterThan(20);
  });

  it('rejects an unknown mode or key', async () => {
    const bytes = readFileSync(join(dir, 'rocket_noprofile.jpg'));
    await expect(decodeImageBytes(bytes, 'x', { iccProfile: 'srgb' } as never)).rejects.toThrow(
      DataArgumentError,
    );
    await expect(decodeImageBytes(bytes, 'x', { icc: 'convert' } as never)).rejects.toThrow(
      /did you mean `iccProfile`/,
    );
  });
});
