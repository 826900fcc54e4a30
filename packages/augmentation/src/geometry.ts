import { type RawImage, rgbPipeline } from '@rectifier/data';
import type { Sharp } from 'sharp';
import { resampleWindow, sourceRange } from './bilinearUpscale';
import type { GeometryPlan } from './transforms';

/**
 * Smallest 'linear' scale factor resampled in JS: enlargements only. `resampleWindow` is exact
 * for reductions too, but libvips' reduce (C, whole pipeline on a libuv thread) was measured
 * faster for them here (2.8–3.6 vs 3.7–4.4 ms/image end to end on ~500×375 JPEGs) and
 * keeps the calling thread free; its parity, mean 0.24 levels / max 6, is within tolerance.
 */
const JS_RESAMPLE_MIN_SCALE = 1;

/**
 * One sharp pipeline per image. sharp's fixed order is extract → flop → resize → extract, so the
 * flip is moved before the resize and the post-resize crop mirrored to match "flip last".
 *
 * 'linear' enlargements (factor ≥ {@link JS_RESAMPLE_MIN_SCALE}) do not use sharp's `resize`:
 * libvips aligns pixel corners when enlarging (4–9 levels off PIL/torchvision). Instead sharp only decodes and extracts
 * the source rows/columns the output window needs — libvips then also stops decoding after the
 * window's last row — and {@link resampleWindow} computes that window with Pillow's own
 * fixed-point arithmetic: the pixels torchvision's `Resize` gives, bit for bit, and only the crop
 * is computed.
 */
export async function runGeometry(
  bytes: Buffer,
  p: GeometryPlan,
  srcWidth: number,
  srcHeight: number,
  float?: { shift?: number[] },
): Promise<RawImage> {
  const px = await pixels(bytes, p, srcWidth, srcHeight, float);
  return float && px.data instanceof Uint8Array
    ? toFloat(px as RawImage<Uint8Array>, float.shift)
    : px;
}

/** The plan's pixels: uint8 from sharp, or float32 straight from the JS resampler when `float`. */
async function pixels(
  bytes: Buffer,
  p: GeometryPlan,
  srcWidth: number,
  srcHeight: number,
  float?: { shift?: number[] },
): Promise<RawImage> {
  let s = rgbPipeline(bytes);
  const pre = p.preCrop ?? [0, 0, srcWidth, srcHeight];
  if (p.resize) {
    const { width: rw, height: rh, kernel } = p.resize;
    const sx = rw / pre[2];
    const sy = rh / pre[3];
    const post: [number, number, number, number] = p.postCrop ?? [0, 0, rw, rh];
    if (kernel === 'linear' && sx >= JS_RESAMPLE_MIN_SCALE && sy >= JS_RESAMPLE_MIN_SCALE) {
      const [x0, x1] = sourceRange(post[0], post[2], pre[2], rw);
      const [y0, y1] = sourceRange(post[1], post[3], pre[3], rh);
      const region = await raw(
        s.extract({ left: pre[0] + x0, top: pre[1] + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }),
      );
      return resampleWindow(region, x0, y0, pre[2], pre[3], rw, rh, post, p.flip, float);
    }
    if (p.preCrop) s = s.extract({ left: pre[0], top: pre[1], width: pre[2], height: pre[3] });
    if (p.flip) s = s.flop();
    s = s.resize(rw, rh, { fit: 'fill', kernel });
    if (p.postCrop) {
      const [left, top, width, height] = post;
      s = s.extract({ left: p.flip ? rw - left - width : left, top, width, height });
    }
    return raw(s);
  }
  if (p.preCrop) s = s.extract({ left: pre[0], top: pre[1], width: pre[2], height: pre[3] });
  if (p.flip) s = s.flop();
  return raw(s);
}

async function raw(s: Sharp): Promise<RawImage<Uint8Array>> {
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    height: info.height,
    width: info.width,
    channels: info.channels,
  };
}

/** uint8 HWC → float32 HWC, plus an optional per-channel constant, in one pass. */
export function toFloat(img: RawImage<Uint8Array>, shift?: number[]): RawImage<Float32Array> {
  const src = img.data;
  const c = img.channels;
  let data: Float32Array;
  if (!shift) {
    data = new Float32Array(src); // the typed-array constructor is the fast copy path
  } else if (c === 3) {
    data = new Float32Array(src.length);
    const [a, b, d] = shift;
    for (let i = 0; i < src.length; i += 3) {
      data[i] = src[i] + a;
      data[i + 1] = src[i + 1] + b;
      data[i + 2] = src[i + 2] + d;
    }
  } else {
    data = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) data[i] = src[i] + shift[i % c];
  }
  return { data, height: img.height, width: img.width, channels: c };
}
