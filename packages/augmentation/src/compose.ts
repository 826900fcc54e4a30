import { received } from '@rectifier/core';
import {
  type BytesTransform,
  decodeFailureReason,
  ImageDecodeError,
  probeImage,
  type RawImage,
  type Rng,
} from '@rectifier/data';
import { AugmentationArgumentError } from './errors';
import { runGeometry, runGeometryOnPixels } from './geometry';
import type { FloatTransform, GeometricTransform, GeometryPlan, Transform } from './transforms';
import type { WorkerPool } from './workerPool';

export interface Pipeline {
  /** Transform names in order, e.g. for logs. */
  readonly names: string[];
  /** Plans the geometry for an image of the given size (pure; exposed for tests and tooling). */
  plan(width: number, height: number, rng: Rng): GeometryPlan;
  /** Encoded bytes → one HWC float32 image (0..255 before float ops). Not for ten-crop. */
  apply(bytes: Buffer, rng: Rng, path?: string): Promise<RawImage<Float32Array>>;
  /** Encoded bytes → all outputs (10 for `tenCrop`, else 1). */
  applyAll(bytes: Buffer, rng: Rng, path?: string): Promise<RawImage<Float32Array>[]>;
  /**
   * Pixels already decoded (uint8 HWC, 1 grey or 3 RGB channels, e.g. an IDX data set's) → the
   * image `apply` gives for them encoded losslessly (PNG), bit for bit and with the same draws
   * from `rng`, without the codec: crops, flips and 'linear' resizes down to ½ run on the calling
   * thread (in C with the libjpeg-turbo addon, else JS), other resizes in sharp. Not for ten-crop.
   */
  applyPixels(image: RawImage<Uint8Array>, rng: Rng): Promise<RawImage<Float32Array>>;
  /** The same as `apply`, typed for `createImageLoader({ transform })` of @rectifier/data. */
  readonly transform: BytesTransform;
  /**
   * The same pipeline with the pixel work (decode, resample, float conversion) run in `pool`'s
   * worker threads; planning, random draws and the remaining float steps stay on this thread,
   * so the output is identical to this pipeline's for any pool size.
   */
  withWorkers(pool: WorkerPool): Pipeline;
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
        `compose: every argument must be a transform (randomCrop(224), pcaLighting({…}), …). Received: ${received(t)}`,
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

  const make = (pool?: WorkerPool): Pipeline => {
    async function applyAll(
      bytes: Buffer,
      rng: Rng,
      path = '<buffer>',
    ): Promise<RawImage<Float32Array>[]> {
      checkCall(bytes, rng);
      const { width, height } = await probeImage(bytes, path);
      const p = plan(width, height, rng);
      if (p.tenCrop) {
        let pixels: RawImage;
        try {
          pixels = pool
            ? await pool.run(bytes, p, width, height, undefined, true)
            : await runGeometry(bytes, p, width, height);
        } catch (cause) {
          throw new ImageDecodeError(path, await decodeFailureReason(cause, bytes), { cause });
        }
        const outs = tenCrops(pixels, p.tenCrop);
        for (const img of outs) for (const f of float) f.apply(img, rng);
        return outs;
      }
      // A leading per-channel constant (PCA lighting, a per-channel mean) is added during the
      // one uint8 → float32 pass instead of a second pass over the pixels. It draws right after
      // the geometric steps, before any pixel exists, so the draw order is unchanged.
      const shift = float[0]?.channelShift?.(3, rng); // rgbPipeline always yields RGB
      let out: RawImage<Float32Array>;
      try {
        out = pool
          ? ((await pool.run(bytes, p, width, height, shift)) as RawImage<Float32Array>)
          : ((await runGeometry(bytes, p, width, height, { shift })) as RawImage<Float32Array>);
      } catch (cause) {
        throw new ImageDecodeError(path, await decodeFailureReason(cause, bytes), { cause });
      }
      for (let i = shift ? 1 : 0; i < float.length; i++) float[i].apply(out, rng);
      return [out];
    }

    async function applyPixels(
      image: RawImage<Uint8Array>,
      rng: Rng,
    ): Promise<RawImage<Float32Array>> {
      checkPixels(image);
      checkRng(rng);
      const p = plan(image.width, image.height, rng);
      if (p.tenCrop) {
        throw new AugmentationArgumentError(
          'applyPixels gives one image; this pipeline yields ten crops (tenCrop): use applyAll() on encoded bytes.',
        );
      }
      const shift = float[0]?.channelShift?.(3, rng); // as in applyAll: RGB out, same draw order
      const out = (await runGeometryOnPixels(image, p, { shift })) as RawImage<Float32Array>;
      for (let i = shift ? 1 : 0; i < float.length; i++) float[i].apply(out, rng);
      return out;
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
    return {
      names: transforms.map((t) => t.name),
      plan,
      apply,
      applyAll,
      applyPixels,
      transform: apply,
      withWorkers: (next: WorkerPool) => make(next),
    };
  };
  return make();
}

/** The pipeline's call shape: encoded bytes and an rng, checked before any decoding. */
function checkCall(bytes: unknown, rng: unknown): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new AugmentationArgumentError(
      `A pipeline applies to encoded image bytes (a Buffer, e.g. from fs.readFile). Received: bytes=${received(bytes)}`,
    );
  }
  checkRng(rng);
}

/** `applyPixels`' image: uint8 HWC data of the size it states, grey or RGB. */
function checkPixels(image: unknown): void {
  const m = image as Partial<RawImage> | undefined;
  const ok =
    typeof m === 'object' &&
    m !== null &&
    m.data instanceof Uint8Array &&
    Number.isInteger(m.width) &&
    Number.isInteger(m.height) &&
    (m.width as number) > 0 &&
    (m.height as number) > 0 &&
    (m.channels === 1 || m.channels === 3) &&
    m.data.length === (m.width as number) * (m.height as number) * m.channels;
  if (!ok) {
    throw new AugmentationArgumentError(
      'applyPixels needs decoded pixels { data: Uint8Array (HWC), width, height, channels: 1 or 3 } ' +
        `with data.length = width × height × channels; for encoded bytes use apply(). Received: image=${received(image)}`,
    );
  }
}

function checkRng(rng: unknown): void {
  const r = rng as Partial<Rng> | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.next !== 'function' ||
    typeof r.int !== 'function' ||
    typeof r.normal !== 'function'
  ) {
    throw new AugmentationArgumentError(
      'A pipeline needs an rng for its random draws: pipeline.apply(bytes, createRng(seed, epoch, index)) ' +
        `(createRng from @rectifier/data). Received: rng=${received(rng)}`,
    );
  }
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
