import {
  type BytesTransform,
  ImageDecodeError,
  probeImage,
  type RawImage,
  type Rng,
  rgbPipeline,
} from '@rectifier/data';
import type { Sharp } from 'sharp';
import { resampleWindow, sourceRange } from './bilinearUpscale';
import { AugmentationArgumentError } from './errors';
import type { FloatTransform, GeometricTransform, GeometryPlan, Transform } from './transforms';

export interface Pipeline {
  /** Transform names in order, e.g. for logs. */
  readonly names: string[];
  /** Plans the geometry for an image of the given size (pure; exposed for tests and tooling). */
  plan(width: number, height: number, rng: Rng): GeometryPlan;
  /** Encoded bytes → one HWC float32 image (0..255 before float ops). Not for ten-crop. */
  apply(bytes: Buffer, rng: Rng, path?: string): Promise<RawImage<Float32Array>>;
  /** Encoded bytes → all outputs (10 for `tenCrop`, else 1). */
  applyAll(bytes: Buffer, rng: Rng, path?: string): Promise<RawImage<Float32Array>[]>;
  /** The same as `apply`, typed for `createImageLoader({ transform })` of @rectifier/data. */
  readonly transform: BytesTransform;
}

/**
 * Chains transforms. All geometric steps (crop, resize, flip, in any order, at most one resize)
 * are folded into **one** sharp pipeline per image: decode (with JPEG shrink-on-load when the
 * resize allows), extract, resize, extract, flop, raw output. Float steps then run on the
 * float32 buffer. Randomness: geometric steps draw from `rng` in order, then float steps, so the
 * same rng seed gives the same pixels.
 */
export function compose(...transforms: Transform[]): Pipeline {
  const geometric: GeometricTransform[] = [];
  const float: FloatTransform[] = [];
  for (const t of transforms) {
    if (!t || (t.kind !== 'geometric' && t.kind !== 'float')) {
      throw new AugmentationArgumentError(
        `compose: every argument must be a transform. Received: ${String(t)}`,
      );
    }
    if (t.kind === 'geometric') {
      if (float.length > 0) {
        throw new AugmentationArgumentError(
          `compose: geometric transform ${t.name} after float transform ${float[0].name}; put crops, resizes and flips first.`,
        );
      }
      if (geometric.some((g) => g.name.startsWith('tenCrop'))) {
        throw new AugmentationArgumentError(
          'compose: tenCrop must be the last geometric transform.',
        );
      }
      geometric.push(t);
    } else float.push(t);
  }
  const plan = (width: number, height: number, rng: Rng): GeometryPlan => {
    const p: GeometryPlan = { width, height, flip: false };
    for (const g of geometric) g.plan(p, rng);
    return p;
  };

  async function applyAll(
    bytes: Buffer,
    rng: Rng,
    path = '<buffer>',
  ): Promise<RawImage<Float32Array>[]> {
    const { width, height } = await probeImage(bytes, path);
    const p = plan(width, height, rng);
    let pixels: RawImage;
    try {
      pixels = await runGeometry(bytes, p, width, height);
    } catch (cause) {
      throw new ImageDecodeError(path, (cause as Error).message, { cause });
    }
    if (p.tenCrop) {
      const outs = tenCrops(pixels, p.tenCrop);
      for (const img of outs) for (const f of float) f.apply(img, rng);
      return outs;
    }
    // A leading per-channel constant (PCA lighting, a per-channel mean) is added during the one
    // uint8 → float32 pass instead of a second pass over the pixels; same draws, same order.
    const shift = float[0]?.channelShift?.(pixels.channels, rng);
    const out = toFloat(pixels, shift);
    for (let i = shift ? 1 : 0; i < float.length; i++) float[i].apply(out, rng);
    return [out];
  }

  const apply = async (bytes: Buffer, rng: Rng, path?: string) => {
    const outs = await applyAll(bytes, rng, path);
    if (outs.length !== 1) {
      throw new AugmentationArgumentError(
        'This pipeline yields several crops (tenCrop); use applyAll().',
      );
    }
    return outs[0];
  };
  return { names: transforms.map((t) => t.name), plan, apply, applyAll, transform: apply };
}

/**
 * One sharp pipeline per image. sharp's fixed order is extract → flop → resize → extract, so the
 * flip is moved before the resize and the post-resize crop mirrored to match "flip last".
 *
 * 'linear' resizes by factors ≥ {@link JS_RESAMPLE_MIN_SCALE} do not use sharp's `resize`:
 * libvips aligns pixel corners when enlarging (4–9 levels off PIL/torchvision) and places its
 * reduction taps differently (0.24 levels mean, max 6). Instead sharp only decodes and extracts
 * the source rows/columns the output window needs — libvips then also stops decoding after the
 * window's last row — and {@link resampleWindow} computes that window with Pillow's own
 * fixed-point arithmetic: the pixels torchvision's `Resize` gives, bit for bit, and only the crop
 * is computed.
 */
/**
 * Smallest 'linear' scale factor resampled in JS. Below ½ libvips' JPEG shrink-on-load (decode
 * at 1/2, 1/4, 1/8 in the DCT domain) makes big reductions far cheaper than a full decode, and
 * parity is still within the stated tolerance (mean 0.24 levels, max 6).
 */
const JS_RESAMPLE_MIN_SCALE = 0.5;

async function runGeometry(
  bytes: Buffer,
  p: GeometryPlan,
  srcWidth: number,
  srcHeight: number,
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
      return resampleWindow(region, x0, y0, pre[2], pre[3], rw, rh, post, p.flip);
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
function toFloat(img: RawImage, shift?: number[]): RawImage<Float32Array> {
  const src = img.data;
  const c = img.channels;
  let data: Float32Array;
  if (!shift) {
    data = src instanceof Float32Array ? src : new Float32Array(src); // fast typed-array copy
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

function cropFloat(
  img: RawImage,
  left: number,
  top: number,
  size: number,
  flip: boolean,
): RawImage<Float32Array> {
  const c = img.channels;
  const out = new Float32Array(size * size * c);
  for (let y = 0; y < size; y++) {
    const row = ((top + y) * img.width + left) * c;
    const o = y * size * c;
    if (!flip) {
      for (let i = 0; i < size * c; i++) out[o + i] = img.data[row + i];
    } else {
      for (let x = 0; x < size; x++) {
        for (let k = 0; k < c; k++) out[o + x * c + k] = img.data[row + (size - 1 - x) * c + k];
      }
    }
  }
  return { data: out, height: size, width: size, channels: c };
}

/**
 * torchvision `ten_crop` order: five_crop(img) then five_crop(hflip(img)), five_crop =
 * [tl, tr, bl, br, centre] with centre at round((H−s)/2), round((W−s)/2).
 */
export function tenCrops(img: RawImage, s: number): RawImage<Float32Array>[] {
  const { width: W, height: H } = img;
  const centreTop = pyRound((H - s) / 2);
  const centreLeft = pyRound((W - s) / 2);
  const five: [number, number][] = [
    [0, 0],
    [W - s, 0],
    [0, H - s],
    [W - s, H - s],
    [centreLeft, centreTop],
  ];
  const out = five.map(([l, t]) => cropFloat(img, l, t, s, false));
  // Crops of the mirrored image: mirrored left = W − s − left.
  for (const [l, t] of five) out.push(cropFloat(img, W - s - l, t, s, true));
  return out;
}

function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}
