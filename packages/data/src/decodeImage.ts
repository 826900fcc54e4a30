import { readFile, readlink } from 'node:fs/promises';
import { received } from '@rectifier/core';
import sharp, { type Sharp } from 'sharp';
import { decodeFailureReason } from './decodeFailureReason';
import { checkOptionKeys, DataArgumentError, ImageDecodeError } from './errors';
import type { RawImage } from './image';

/**
 * Why `path` could not be read, in words a user can act on: a link loop, a dangling link, a name
 * that is not UTF-8 (a directory listing shows its bad bytes as U+FFFD, so that name opens
 * nothing) — else Node's own message.
 */
async function unreadableReason(path: string, cause: NodeJS.ErrnoException): Promise<string> {
  if (cause.code === 'ELOOP') return 'a symbolic link loop (ELOOP): the link resolves to itself';
  if (cause.code === 'ENOENT') {
    const target = await readlink(path).catch(() => undefined);
    if (target !== undefined)
      return `a dangling symbolic link: its target ${target} does not exist`;
    if (path.includes('\uFFFD')) {
      return 'its file name is not valid UTF-8 (shown with \uFFFD), so it cannot be opened by name; rename the file';
    }
  }
  return `unreadable (${cause.message})`;
}

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
    const reason = await unreadableReason(path, cause as NodeJS.ErrnoException);
    throw new ImageDecodeError(path, reason, { cause });
  }
  if (bytes.length === 0) throw new ImageDecodeError(path, 'the file is empty');
  return bytes;
}

/** How decoding treats an embedded ICC colour profile. */
export interface DecodeOptions {
  /**
   * `'ignore'` (default): RGB and grey images keep the values as stored, whatever profile they
   * carry — what PIL's `Image.open(f).convert('RGB')`, hence torchvision's `ImageFolder`, gives,
   * so the convention every ImageNet result (the paper's included) was trained with. `'convert'`:
   * colour-managed, the pixels are converted through the embedded profile to sRGB (lcms2, as
   * PIL's `ImageCms.profileToProfile`). On a photo with an Adobe RGB (1998) profile the two
   * differ by ~5 levels on average (max 26); with ProPhoto, 22 (max 75). CMYK images always go
   * through their profile (or libvips' default CMYK profile): their stored values are not RGB.
   */
  iccProfile?: 'ignore' | 'convert';
}

function checkDecodeOptions(options: DecodeOptions): void {
  checkOptionKeys(options, ['iccProfile'], 'decode');
  const mode = options.iccProfile;
  if (mode !== undefined && mode !== 'ignore' && mode !== 'convert') {
    throw new DataArgumentError(
      `Option \`iccProfile\` must be 'ignore' (default, as PIL/torchvision) or 'convert' (colour-managed). Received: iccProfile=${received(mode)}`,
    );
  }
}

/**
 * Opens a sharp pipeline on image bytes that always yields 8-bit sRGB with 3 channels:
 * grayscale is expanded, CMYK converted through its ICC profile (or libvips' default CMYK
 * profile), alpha dropped; an embedded profile of an RGB image is ignored unless
 * `iccProfile: 'convert'` (see {@link DecodeOptions}). `failOn: 'truncated'` makes a truncated
 * JPEG/PNG an error instead of silently grey-padded pixels, so the loader can skip and report it.
 * The format is sniffed from the bytes, so a PNG named `.JPEG` (ImageNet has some) decodes fine.
 */
export function rgbPipeline(bytes: Buffer, options: DecodeOptions = {}): Sharp {
  checkDecodeOptions(options);
  // A CMYK JPEG (4 components) needs its profile to become RGB at all.
  const ignoreIcc = options.iccProfile !== 'convert' && sniffSize(bytes)?.components !== 4;
  return sharp(bytes, { failOn: 'truncated', ignoreIcc }).removeAlpha().toColourspace('srgb');
}

/** Decodes a file (JPEG, PNG, WebP, ...) to 8-bit RGB HWC. Throws {@link ImageDecodeError}. */
export async function decodeImage(
  path: string,
  options: DecodeOptions = {},
): Promise<RawImage<Uint8Array>> {
  checkDecodeOptions(options);
  const bytes = await readImageBytes(path);
  return decodeImageBytes(bytes, path, options);
}

/** Like {@link decodeImage} for bytes already in memory; `path` only names them in errors. */
export async function decodeImageBytes(
  bytes: Buffer,
  path = '<buffer>',
  options: DecodeOptions = {},
): Promise<RawImage<Uint8Array>> {
  checkDecodeOptions(options);
  try {
    const { data, info } = await rgbPipeline(bytes, options)
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      height: info.height,
      width: info.width,
      channels: info.channels,
    };
  } catch (cause) {
    throw new ImageDecodeError(path, await decodeFailureReason(cause, bytes), { cause });
  }
}

/**
 * Width and height of a JPEG (first SOFn marker, with its colour component count: 1 grey,
 * 3 YCbCr/RGB, 4 CMYK/YCCK) or PNG (IHDR) parsed in JS, or undefined for other formats or
 * unexpected bytes. Saves a sharp `metadata()` call (~0.3 ms plus per-call
 * overhead) per image on the loader's hot path.
 */
export function sniffSize(
  b: Uint8Array,
): { width: number; height: number; format: string; components?: number } | undefined {
  if (b.length > 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { width: v.getUint32(16), height: v.getUint32(20), format: 'png' };
  }
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (b[i + 5] << 8) | b[i + 6];
      const width = (b[i + 7] << 8) | b[i + 8];
      const components = b[i + 9];
      return width > 0 && height > 0 ? { width, height, format: 'jpeg', components } : undefined;
    }
    if (marker === 0xda || len < 2) return undefined;
    i += 2 + len;
  }
  return undefined;
}

/** Image size from the header only (no pixel decode). Throws {@link ImageDecodeError}. */
export async function probeImage(
  bytes: Buffer,
  path = '<buffer>',
): Promise<{ width: number; height: number; format: string }> {
  const sniffed = sniffSize(bytes);
  if (sniffed) return sniffed;
  try {
    const m = await sharp(bytes).metadata();
    if (!m.width || !m.height) throw new Error('no dimensions in header');
    // EXIF orientations 5..8 swap width and height; sharp does not auto-rotate unless asked and
    // neither do we (torchvision/PIL do not either), so the stored size is the decoded size.
    return { width: m.width, height: m.height, format: m.format ?? 'unknown' };
  } catch (cause) {
    throw new ImageDecodeError(path, await decodeFailureReason(cause, bytes), { cause });
  }
}
