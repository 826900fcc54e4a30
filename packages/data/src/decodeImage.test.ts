import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, probeImage, readImageBytes, sniffSize } from './decodeImage';
import { ImageDecodeError } from './errors';
import { makeAwkwardTree, removeTmpDirs, tmp } from './testing/makeTree';

afterAll(removeTmpDirs);

describe('decodeImage', () => {
  let root: string;
  beforeAll(async () => {
    root = tmp('decode');
    await makeAwkwardTree(root);
  });
  const train = (f: string) => join(root, 'train', f);

  it('decodes a CMYK JPEG to 3-channel sRGB close to the original colours', async () => {
    const meta = await sharp(train('n01440764/n01440764_2_cmyk.JPEG')).metadata();
    expect(meta.space).toBe('cmyk');
    expect(meta.channels).toBe(4);
    const img = await decodeImage(train('n01440764/n01440764_2_cmyk.JPEG'));
    expect([img.height, img.width, img.channels]).toEqual([20, 30, 3]);
    // Top-right pixel of the gradient is red≈255, green≈0; CMYK round trip keeps it reddish.
    const i = (0 * 30 + 29) * 3;
    expect(img.data[i]).toBeGreaterThan(180);
    expect(img.data[i + 1]).toBeLessThan(90);
  });

  it('expands grayscale to three equal channels', async () => {
    expect((await sharp(train('n01443537/n01443537_1_gray.JPEG')).metadata()).channels).toBe(1);
    const img = await decodeImage(train('n01443537/n01443537_1_gray.JPEG'));
    expect(img.channels).toBe(3);
    for (let i = 0; i < img.data.length; i += 3) {
      expect(img.data[i + 1]).toBe(img.data[i]);
      expect(img.data[i + 2]).toBe(img.data[i]);
    }
  });

  it('sniffs a PNG named .JPEG', async () => {
    const bytes = await readImageBytes(train('n01443537/n01443537_2_png.JPEG'));
    expect((await probeImage(bytes)).format).toBe('png');
    const img = await decodeImage(train('n01443537/n01443537_2_png.JPEG'));
    expect([img.height, img.width, img.channels]).toEqual([20, 30, 3]);
  });

  it('throws ImageDecodeError naming the path for truncated, empty and missing files', async () => {
    for (const f of [
      'n01484850/n01484850_1_truncated.JPEG',
      'n01484850/n01484850_2_empty.JPEG',
      'nope/missing.JPEG',
    ]) {
      const err = await decodeImage(train(f)).catch((e) => e);
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect(err.message).toContain(f.split('/')[1]);
      expect(err.path).toBe(train(f));
    }
  });
});

describe('sniffSize', () => {
  it('reads JPEG (SOF) and PNG (IHDR) sizes like sharp metadata', async () => {
    const { gradient } = await import('./testing/makeTree');
    for (const [w, h] of [
      [37, 21],
      [500, 375],
    ]) {
      const raw = sharp(gradient(h, w), { raw: { width: w, height: h, channels: 3 } });
      for (const bytes of [
        await raw.clone().jpeg().toBuffer(),
        await raw.clone().jpeg({ progressive: true }).toBuffer(),
        await raw.clone().png().toBuffer(),
      ]) {
        const m = await sharp(bytes).metadata();
        const components = m.format === 'jpeg' ? { components: m.channels } : {};
        expect(sniffSize(bytes)).toEqual({
          width: m.width,
          height: m.height,
          format: m.format,
          ...components,
        });
      }
    }
    expect(sniffSize(Buffer.from('GIF89a.............................'))).toBeUndefined();
  });
});
