import { received } from '@rectifier/core';
import type { RawImage, Rng } from '@rectifier/data';
import { AugmentationArgumentError, checkOptionKeys } from './errors';

/** Geometry being planned for one image: sizes in pixels, crops as [left, top, width, height]. */
export interface GeometryPlan {
  /** Current (virtual) image size after the steps planned so far. */
  width: number;
  height: number;
  /** Crop applied to the decoded image before the resize. */
  preCrop?: [number, number, number, number];
  /** Resize target (fit: fill) — at most one per pipeline. */
  resize?: { width: number; height: number; kernel: ResizeKernel };
  /** Crop applied after the resize. */
  postCrop?: [number, number, number, number];
  /** Mirror left↔right at the end. */
  flip: boolean;
  /** Ten-crop: the final crop size; the plan's output is then 10 images. */
  tenCrop?: number;
}

/** sharp kernel used for a resize (see docs/packages/augmentation.md for the choice). */
export type ResizeKernel = 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3' | 'nearest';

/** A geometric transform: only plans (no pixels touched), so all of them run in one sharp pipeline. */
export interface GeometricTransform {
  kind: 'geometric';
  name: string;
  plan(p: GeometryPlan, rng: Rng): void;
}

/** A float transform: runs on the HWC float32 pixels after decoding (in place). */
export interface FloatTransform {
  kind: 'float';
  name: string;
  apply(img: RawImage<Float32Array>, rng: Rng): void;
  /**
   * For transforms that add one constant per channel (PCA lighting, a per-channel mean): draws
   * like `apply` and returns the constants, so `compose` can add them while converting the
   * uint8 pixels to float32 (one pass instead of two).
   */
  channelShift?(channels: number, rng: Rng): number[];
}

export type Transform = GeometricTransform | FloatTransform;

const kernels: readonly ResizeKernel[] = [
  'linear',
  'cubic',
  'mitchell',
  'lanczos2',
  'lanczos3',
  'nearest',
];

function checkKernel(kernel: unknown): ResizeKernel {
  if (!kernels.includes(kernel as ResizeKernel)) {
    throw new AugmentationArgumentError(
      `Option \`kernel\` must be one of ${kernels.map((k) => `'${k}'`).join(', ')}. Received: kernel=${received(kernel)}`,
    );
  }
  return kernel as ResizeKernel;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new AugmentationArgumentError(
      `Argument \`${name}\` must be a positive integer. Received: ${name}=${received(v)}`,
    );
  }
  return v;
}

/**
 * torchvision's `Resize(s)` size rule: the shorter side becomes s, the longer side
 * `int(s * long / short)` (truncated), so outputs match torchvision pixel-for-pixel in size.
 */
export function shorterSideSize(
  width: number,
  height: number,
  s: number,
): { width: number; height: number } {
  if (width <= height) return { width: s, height: Math.trunc((s * height) / width) };
  return { width: Math.trunc((s * width) / height), height: s };
}

function planResize(p: GeometryPlan, width: number, height: number, kernel: ResizeKernel) {
  if (p.resize) {
    throw new AugmentationArgumentError(
      'A pipeline may resize once (one sharp pipeline per image); remove the second resizeShorter/scaleJitter.',
    );
  }
  if (p.postCrop) {
    // Crop-then-resize: the crop becomes the pre-resize extract.
    p.preCrop = p.postCrop;
    p.postCrop = undefined;
  }
  p.resize = { width, height, kernel };
  p.width = width;
  p.height = height;
}

function planCrop(p: GeometryPlan, left: number, top: number, w: number, h: number) {
  if (w > p.width || h > p.height) {
    throw new AugmentationArgumentError(
      `Crop ${w}x${h} is larger than the image ${p.width}x${p.height}; resize first (e.g. resizeShorter(${Math.max(w, h)})).`,
    );
  }
  // A flip planned earlier is applied at the end, so mirror this crop's position.
  const l = p.flip ? p.width - left - w : left;
  const prev = p.resize ? p.postCrop : p.preCrop;
  const abs: [number, number, number, number] = prev
    ? [prev[0] + l, prev[1] + top, w, h]
    : [l, top, w, h];
  if (p.resize) p.postCrop = abs;
  else p.preCrop = abs;
  p.width = w;
  p.height = h;
}

export interface ResizeOptions {
  /**
   * Resampling kernel (default 'linear'): libvips' triangle filter widened by the scale factor,
   * the same antialiased bilinear filter torchvision gets from PIL (`Image.BILINEAR`), so the
   * network sees the images a torchvision-trained model saw. 'lanczos3' is sharper (sharp's
   * default) and costs about the same.
   */
  kernel?: ResizeKernel;
}

/** Test time: resize so the shorter side is `size` (torchvision `Resize(size)`). */
export function resizeShorter(size: number, options: ResizeOptions = {}): GeometricTransform {
  positiveInt('size', size);
  checkOptionKeys(options, ['kernel'], 'resizeShorter');
  const kernel = checkKernel(options.kernel ?? 'linear');
  return {
    kind: 'geometric',
    name: `resizeShorter(${size})`,
    plan(p) {
      const t = shorterSideSize(p.width, p.height, size);
      planResize(p, t.width, t.height, kernel);
    },
  };
}

/**
 * Training scale augmentation (He et al. 2015, Sec. 3 "Training", after Simonyan & Zisserman):
 * the shorter side s is drawn uniformly from the integers [min, max] (the paper: [256, 512]),
 * then the image is resized so its shorter side is s.
 */
export function scaleJitter(
  options: { min: number; max: number } & ResizeOptions = { min: 256, max: 512 },
): GeometricTransform {
  checkOptionKeys(options, ['min', 'max', 'kernel'], 'scaleJitter');
  const { min, max } = options;
  positiveInt('min', min);
  positiveInt('max', max);
  if (max < min) {
    throw new AugmentationArgumentError(
      `Argument \`max\` must be >= min. Received: min=${min}, max=${max}`,
    );
  }
  const kernel = checkKernel(options.kernel ?? 'linear');
  return {
    kind: 'geometric',
    name: `scaleJitter(${min}..${max})`,
    plan(p, rng) {
      const s = rng.int(min, max);
      const t = shorterSideSize(p.width, p.height, s);
      planResize(p, t.width, t.height, kernel);
    },
  };
}

function cropSize(size: number | [number, number], where: string): [number, number] {
  if (typeof size !== 'number' && !(Array.isArray(size) && size.length === 2)) {
    throw new AugmentationArgumentError(
      `Argument \`size\` of ${where} must be a positive integer or [height, width] (e.g. ${where}(224)). ` +
        `Received: size=${received(size)}`,
    );
  }
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  positiveInt('size', h);
  positiveInt('size', w);
  return [h, w];
}

/** A uniformly placed size×size crop (torchvision `RandomCrop`: top, left ~ U{0..H−h}, U{0..W−w}). */
export function randomCrop(size: number | [number, number]): GeometricTransform {
  const [h, w] = cropSize(size, 'randomCrop');
  return {
    kind: 'geometric',
    name: `randomCrop(${h}x${w})`,
    plan(p, rng) {
      if (w > p.width || h > p.height) planCrop(p, 0, 0, w, h); // throws the sized error
      const top = rng.int(0, p.height - h);
      const left = rng.int(0, p.width - w);
      planCrop(p, left, top, w, h);
    },
  };
}

/** The centre crop (torchvision `CenterCrop`: top = round((H−h)/2), left = round((W−w)/2)). */
export function centerCrop(size: number | [number, number]): GeometricTransform {
  const [h, w] = cropSize(size, 'centerCrop');
  return {
    kind: 'geometric',
    name: `centerCrop(${h}x${w})`,
    plan(p) {
      planCrop(p, roundHalfEven((p.width - w) / 2), roundHalfEven((p.height - h) / 2), w, h);
    },
  };
}

/** Python's round() (banker's rounding), which torchvision's CenterCrop uses. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Mirror left↔right with probability `p` (default 0.5 — AlexNet, He et al. Sec. 3). */
export function horizontalFlip(p = 0.5): GeometricTransform {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new AugmentationArgumentError(
      `Argument \`p\` must be a probability in [0, 1]. Received: p=${received(p)}`,
    );
  }
  return {
    kind: 'geometric',
    name: `horizontalFlip(${p})`,
    plan(plan, rng) {
      // Always draw, so the random stream of later transforms does not depend on p.
      if (rng.next() < p) plan.flip = !plan.flip;
    },
  };
}

/**
 * Test-time ten crops (AlexNet / He et al. Sec. 3 "Testing"): the four corner crops and the
 * centre crop, then the same five of the mirrored image. Order = torchvision `TenCrop`:
 * [top-left, top-right, bottom-left, bottom-right, centre,
 *  then those five taken from the horizontally flipped image]
 * (so flipped "top-left" shows the original top-right corner, mirrored). Must be last geometric step.
 */
export function tenCrop(size: number): GeometricTransform {
  positiveInt('size', size);
  return {
    kind: 'geometric',
    name: `tenCrop(${size})`,
    plan(p) {
      if (size > p.width || size > p.height) planCrop(p, 0, 0, size, size);
      p.tenCrop = size;
    },
  };
}
