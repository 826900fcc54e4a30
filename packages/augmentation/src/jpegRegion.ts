import { type RawImage, sniffSize } from '@rectifier/data';
import { loadJpegAddon } from './jpegAddon';

/** sharp's default `limitInputPixels` (0x3FFF²): larger images are sharp's to refuse. */
const SHARP_PIXEL_LIMIT = 0x3fff ** 2;

/**
 * RGB pixels of `region` of a JPEG, decoded synchronously by the libjpeg-turbo addon — the same
 * pixels as `rgbPipeline(bytes).extract(region)` (sharp/libvips, whose decoder is also
 * libjpeg-turbo's with the same IDCT and upsampling), bit for bit — or undefined when that
 * fast path does not apply and the caller must use sharp: no addon, not a grey/YCbCr/RGB JPEG
 * (CMYK/YCCK go through a colour profile in sharp), no end-of-image marker (truncated: sharp's
 * `failOn: 'truncated'` decides), more pixels than sharp accepts, or any error or warning from
 * libjpeg. ICC profiles need no case: the pipelines decode with `iccProfile: 'ignore'`, which
 * applies none to RGB and grey images. EXIF orientation neither: sharp does not apply it here.
 *
 * Why: sharp costs ~0.65 ms of fixed overhead per call plus two thread hand-offs, about a third
 * of a 500×375 image's decode; this call has neither and decodes only the rows and iMCU columns
 * the region needs.
 *
 * With `into` (exactly width·height·3 bytes) the pixels are written there and the result's
 * `data` is `into`: for a caller that reads them at once and reuses the buffer.
 */
export function decodeJpegRegion(
  bytes: Uint8Array,
  region: { left: number; top: number; width: number; height: number },
  into?: Uint8Array,
): RawImage<Uint8Array> | undefined {
  const addon = loadJpegAddon();
  if (addon instanceof Error) return undefined;
  const info = sniffSize(bytes);
  if (info?.format !== 'jpeg' || (info.components !== 1 && info.components !== 3)) return undefined;
  if (info.width * info.height > SHARP_PIXEL_LIMIT) return undefined;
  const n = bytes.length;
  if (bytes[n - 2] !== 0xff || bytes[n - 1] !== 0xd9) return undefined;
  const { left, top, width, height } = region;
  if (into && into.length !== width * height * 3) {
    throw new RangeError(
      `decodeJpegRegion: \`into\` must hold width·height·3 = ${width * height * 3} bytes. Received: ${into.length}`,
    );
  }
  try {
    const data = addon.decodeRegion(bytes, left, top, width, height, into);
    return { data, width, height, channels: 3 };
  } catch {
    return undefined; // libjpeg's complaint: sharp decodes it, or raises the ImageDecodeError
  }
}
