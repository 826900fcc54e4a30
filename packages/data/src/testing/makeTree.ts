import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** A smooth colour test image (deterministic), h×w×3 uint8. */
export function gradient(h: number, w: number, seed = 0): Buffer {
  const b = Buffer.alloc(h * w * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      b[i] = (x * 255) / Math.max(1, w - 1);
      b[i + 1] = (y * 255) / Math.max(1, h - 1);
      b[i + 2] = (seed * 37 + x + y) % 256;
    }
  return b;
}

const made: string[] = [];

/** A new folder under the OS temp dir; `removeTmpDirs()` (in an `afterAll`) deletes it. */
export function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rectifier-data-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Deletes every folder `tmp()` made in this test file (the 10k-image tree alone is 40 MB). */
export function removeTmpDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function writeJpeg(path: string, h: number, w: number, seed = 0): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  await sharp(gradient(h, w, seed), { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 95 })
    .toFile(path);
}

/**
 * An ILSVRC-like tree with every awkward file ImageNet has: a CMYK JPEG, a grayscale JPEG, a PNG
 * named .JPEG, a truncated JPEG and an empty file.
 */
export async function makeAwkwardTree(root: string): Promise<void> {
  const raw = (h: number, w: number, s: number) =>
    sharp(gradient(h, w, s), { raw: { width: w, height: h, channels: 3 } });
  const a = join(root, 'train', 'n01440764');
  const b = join(root, 'train', 'n01443537');
  const c = join(root, 'train', 'n01484850');
  for (const d of [a, b, c]) mkdirSync(d, { recursive: true });
  await raw(20, 30, 1).jpeg().toFile(join(a, 'n01440764_1.JPEG'));
  await raw(20, 30, 2).toColourspace('cmyk').jpeg().toFile(join(a, 'n01440764_2_cmyk.JPEG'));
  await raw(20, 30, 3).toColourspace('b-w').jpeg().toFile(join(b, 'n01443537_1_gray.JPEG'));
  await raw(20, 30, 4).png().toFile(join(b, 'n01443537_2_png.JPEG'));
  const good = await raw(40, 60, 5).jpeg().toBuffer();
  writeFileSync(
    join(c, 'n01484850_1_truncated.JPEG'),
    good.subarray(0, Math.floor(good.length / 2)),
  );
  writeFileSync(join(c, 'n01484850_2_empty.JPEG'), Buffer.alloc(0));
  await raw(20, 30, 6).jpeg().toFile(join(c, 'n01484850_3.JPEG'));
}
