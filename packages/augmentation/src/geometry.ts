import { type RawImage, rgbPipeline } from '@rectifier/data';
import sharp, { type Sharp } from 'sharp';
import { resampleWindow, sourceRange } from './bilinearUpscale';
import { decodeJpegRegion } from './jpegRegion';
import type { GeometryPlan } from './transforms';

/**
 * Smallest 'linear' scale factor resampled by {@link resampleWindow} (Pillow's arithmetic, so
 * torchvision's pixels bit for bit) instead of libvips' reduce (mean 0.24 / max 6 levels off).
 * Reductions down to ½ come here since the libjpeg-turbo addon decodes the window and resamples
 * it in C: resize to shorter side 256/300 + crop 224 took 1.8–2.1 ms/image vs 4.1–4.2 in libvips
 * (~500×375 JPEGs, best of 3, 2026-12-06). Without the addon (sharp decode + JS) it is 5.3–6.0 vs
 * 3.4–4.1: the price of the same pixels on every machine. Larger reductions stay in libvips,
 * which shrinks a JPEG on load instead of decoding a window twice the output's size or more.
 */
const JS_RESAMPLE_MIN_SCALE = 0.5;

/**
 * One sharp pipeline per image. sharp's fixed order is extract → flop → resize → extract, so the
 * flip is moved before the resize and the post-resize crop mirrored to match "flip last".
 *
 * 'linear' resizes by a factor ≥ {@link JS_RESAMPLE_MIN_SCALE} do not use sharp's `resize`:
 * libvips aligns pixel corners when enlarging (4–9 levels off PIL/torchvision) and places its
 * reduction taps slightly differently. Instead only the
 * source rows/columns the output window needs are decoded — synchronously by the libjpeg-turbo
 * addon for JPEGs ({@link decodeJpegRegion}), else by sharp, where libvips stops decoding after
 * the window's last row; both give the same pixels — and {@link resampleWindow} computes that
 * window with Pillow's own fixed-point arithmetic: the pixels torchvision's `Resize` gives, bit
 * for bit, and only the crop is computed.
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

/**
 * The plan applied to pixels already decoded (uint8 HWC, grey or RGB, e.g. an IDX data set's):
 * the same output as {@link runGeometry} on the image encoded losslessly, without a codec. Crops,
 * flips and 'linear' resizes down to ½ run here with no sharp call (a 28×28 Fashion-MNIST image
 * is ~0.5 ms of fixed sharp overhead per call, 3× its JS work); other resizes go through sharp
 * from the raw pixels.
 */
export async function runGeometryOnPixels(
  image: RawImage<Uint8Array>,
  p: GeometryPlan,
  float?: { shift?: number[] },
): Promise<RawImage> {
  const window = jsWindow(p, image.width, image.height);
  if (window && image.channels === 1) {
    // Grey stays one channel through the resampling (a third of the work) and becomes RGB in
    // the float pass: each RGB channel would have been resampled to the same values.
    const grey = window.resample(extract(image, window.region)) as RawImage<Uint8Array>;
    return float ? greyToFloatRgb(grey, float.shift) : toRgb(grey);
  }
  const rgb = toRgb(image);
  let px: RawImage;
  if (window) px = window.resample(extract(rgb, window.region), float);
  else if (!p.resize) px = extractFlip(rgb, p.preCrop ?? [0, 0, rgb.width, rgb.height], p.flip);
  else {
    const { width, height } = rgb;
    px = await raw(sharpGeometry(sharp(rgb.data, { raw: { width, height, channels: 3 } }), p));
  }
  return float && px.data instanceof Uint8Array
    ? toFloat(px as RawImage<Uint8Array>, float.shift)
    : px;
}

/** One grey channel → float32 RGB (three equal channels), plus an optional per-channel constant. */
function greyToFloatRgb(img: RawImage<Uint8Array>, shift?: number[]): RawImage<Float32Array> {
  const n = img.width * img.height;
  const data = new Float32Array(n * 3);
  const [a, b, d] = shift ?? [0, 0, 0];
  const src = img.data;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const v = src[i];
    data[o] = v + a;
    data[o + 1] = v + b;
    data[o + 2] = v + d;
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}

/** The plan's pixels: uint8 from sharp, or float32 straight from the JS resampler when `float`. */
async function pixels(
  bytes: Buffer,
  p: GeometryPlan,
  srcWidth: number,
  srcHeight: number,
  float?: { shift?: number[] },
): Promise<RawImage> {
  const window = jsWindow(p, srcWidth, srcHeight);
  if (window) {
    const { width, height } = window.region;
    // The addon decodes synchronously and the resampler reads the window at once (no await in
    // between), so this thread's one scratch buffer can hold every image's window.
    const src =
      decodeJpegRegion(bytes, window.region, windowScratch(width * height * 3)) ??
      (await raw(rgbPipeline(bytes).extract(window.region)));
    return window.resample(src, float);
  }
  return raw(sharpGeometry(rgbPipeline(bytes), p));
}

type Region = { left: number; top: number; width: number; height: number };

let scratch = new Uint8Array(0);

/**
 * `n` bytes of this thread's buffer for decoded windows (about 450×450×3 for a 224 crop at
 * scale ½). A new 0.1–0.6 MB ArrayBuffer per image would be garbage at once: allocating,
 * zeroing and collecting it cost ~0.1 ms of CPU per image on the augmentation bench, most of it
 * on V8's helper threads (tools/bench/augmentation_pool.ts, 2026-12-06).
 */
function windowScratch(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(n);
  return scratch.subarray(0, n);
}

/**
 * For a 'linear' resize by a factor ≥ {@link JS_RESAMPLE_MIN_SCALE}: the source region the
 * output window reads and the resampler over it; undefined for every other plan.
 */
function jsWindow(p: GeometryPlan, srcWidth: number, srcHeight: number) {
  if (!p.resize) return undefined;
  const pre = p.preCrop ?? [0, 0, srcWidth, srcHeight];
  const { width: rw, height: rh, kernel } = p.resize;
  if (kernel !== 'linear' || rw / pre[2] < JS_RESAMPLE_MIN_SCALE) return undefined;
  if (rh / pre[3] < JS_RESAMPLE_MIN_SCALE) return undefined;
  const post: [number, number, number, number] = p.postCrop ?? [0, 0, rw, rh];
  const [x0, x1] = sourceRange(post[0], post[2], pre[2], rw);
  const [y0, y1] = sourceRange(post[1], post[3], pre[3], rh);
  const region: Region = {
    left: pre[0] + x0,
    top: pre[1] + y0,
    width: x1 - x0 + 1,
    height: y1 - y0 + 1,
  };
  return {
    region,
    resample: (src: RawImage<Uint8Array>, float?: { shift?: number[] }) =>
      resampleWindow(src, {
        srcX: x0,
        srcY: y0,
        inW: pre[2],
        inH: pre[3],
        outW: rw,
        outH: rh,
        window: post,
        flip: p.flip,
        float,
      }),
  };
}

/** Every step of the plan in sharp's one pipeline (sharp's order: extract → flop → resize → extract). */
function sharpGeometry(source: Sharp, p: GeometryPlan): Sharp {
  let s = source;
  if (p.preCrop) {
    const [left, top, width, height] = p.preCrop;
    s = s.extract({ left, top, width, height });
  }
  if (p.flip) s = s.flop();
  if (p.resize) {
    const { width: rw, height: rh, kernel } = p.resize;
    s = s.resize(rw, rh, { fit: 'fill', kernel });
    if (p.postCrop) {
      const [left, top, width, height] = p.postCrop;
      s = s.extract({ left: p.flip ? rw - left - width : left, top, width, height });
    }
  }
  return s;
}

/** Grey → RGB by replication (what libvips' colourspace conversion of a grey PNG gives). */
function toRgb(img: RawImage<Uint8Array>): RawImage<Uint8Array> {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  const src = img.data;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const v = src[i];
    data[o] = v;
    data[o + 1] = v;
    data[o + 2] = v;
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}

function extract(img: RawImage<Uint8Array>, r: Region): RawImage<Uint8Array> {
  return extractFlip(img, [r.left, r.top, r.width, r.height], false);
}

/** A crop of an HWC image, mirrored left↔right when `flip`. */
function extractFlip(
  img: RawImage<Uint8Array>,
  [left, top, width, height]: [number, number, number, number],
  flip: boolean,
): RawImage<Uint8Array> {
  const c = img.channels;
  const data = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const row = ((top + y) * img.width + left) * c;
    const o = y * width * c;
    if (!flip) data.set(img.data.subarray(row, row + width * c), o);
    else {
      for (let x = 0; x < width; x++) {
        const a = row + (width - 1 - x) * c;
        for (let k = 0; k < c; k++) data[o + x * c + k] = img.data[a + k];
      }
    }
  }
  return { data, width, height, channels: c };
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
