import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { ImageDecodeError } from './errors';
import type { RawImage } from './image';

/**
 * Reads a file into memory, failing with {@link ImageDecodeError} for unreadable or empty files.
 * Reading the bytes ourselves (instead of handing sharp a path) lets one buffer feed both the
 * header probe and the decode pipeline without a second open.
 */
export async function readImageBytes(path: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new ImageDecodeError(path, `unreadable (${(cause as Error).message})`, { cause });
  }
  if (bytes.length === 0) throw new ImageDecodeError(path, 'the file is empty');
  return bytes;
}

/**
 * Opens a sharp pipeline on image bytes that always yields 8-bit sRGB with 3 channels:
 * grayscale is expanded, CMYK converted through its ICC profile (or libvips' default CMYK
 * profile), alpha dropped. `failOn: 'truncated'` makes a truncated JPEG/PNG an error instead of
 * silently grey-padded pixels, so the loader can skip and report it. The format is sniffed from
 * the bytes, so a PNG named `.JPEG` (ImageNet has some) decodes fine.
 */
export function rgbPipeline(bytes: Buffer): Sharp {
  return sharp(bytes, { failOn: 'truncated' }).removeAlpha().toColourspace('srgb');
}

/** Decodes a file (JPEG, PNG, WebP, ...) to 8-bit RGB HWC. Throws {@link ImageDecodeError}. */
export async function decodeImage(path: string): Promise<RawImage<Uint8Array>> {
  const bytes = await readImageBytes(path);
  return decodeImageBytes(bytes, path);
}

/** Like {@link decodeImage} for bytes already in memory; `path` only names them in errors. */
export async function decodeImageBytes(
  bytes: Buffer,
  path = '<buffer>',
): Promise<RawImage<Uint8Array>> {
  try {
    const { data, info } = await rgbPipeline(bytes).raw().toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      height: info.height,
      width: info.width,
      channels: info.channels,
    };
  } catch (cause) {
    throw new ImageDecodeError(path, (cause as Error).message, { cause });
  }
}

/** Image size from the header only (no pixel decode). Throws {@link ImageDecodeError}. */
export async function probeImage(
  bytes: Buffer,
  path = '<buffer>',
): Promise<{ width: number; height: number; format: string }> {
  try {
    const m = await sharp(bytes).metadata();
    if (!m.width || !m.height) throw new Error('no dimensions in header');
    // EXIF orientations 5..8 swap width and height; sharp does not auto-rotate unless asked and
    // neither do we (torchvision/PIL do not either), so the stored size is the decoded size.
    return { width: m.width, height: m.height, format: m.format ?? 'unknown' };
  } catch (cause) {
    throw new ImageDecodeError(path, (cause as Error).message, { cause });
  }
}
