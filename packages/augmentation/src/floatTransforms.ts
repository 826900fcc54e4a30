import { received } from '@rectifier/core';
import type { RawImage, Rng } from '@rectifier/data';
import { AugmentationArgumentError, checkOptionKeys } from './errors';
import type { FloatTransform } from './transforms';

/**
 * Subtracts a mean: either a per-pixel mean image (HWC float32 at the crop size, as AlexNet and
 * He et al. use; `computeDatasetStats` in @rectifier/data makes one) or a per-channel mean.
 * x ← x − mean. Units are those of the pixels at this point (0..255 unless rescaled).
 */
export function subtractMean(mean: Float32Array | { perChannel: number[] }): FloatTransform {
  if (mean instanceof Float32Array) {
    return {
      kind: 'float',
      name: 'subtractMean(image)',
      apply(img) {
        if (img.data.length !== mean.length) {
          throw new AugmentationArgumentError(
            `subtractMean: the mean image has ${mean.length} values but the image is ` +
              `${img.height}x${img.width}x${img.channels}; compute the mean at the crop size.`,
          );
        }
        const d = img.data;
        for (let i = 0; i < d.length; i++) d[i] -= mean[i];
      },
    };
  }
  if (typeof mean !== 'object' || mean === null) {
    throw new AugmentationArgumentError(
      `subtractMean takes a mean image (Float32Array) or { perChannel: number[] }. Received: ${received(mean)}`,
    );
  }
  checkOptionKeys(mean, ['perChannel'], 'subtractMean');
  const m = mean.perChannel;
  if (
    !Array.isArray(m) ||
    m.length === 0 ||
    m.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  ) {
    throw new AugmentationArgumentError(
      `Argument \`perChannel\` must be a non-empty array of numbers. Received: perChannel=${received(m)}`,
    );
  }
  const shift = (c: number) => {
    if (c !== m.length) {
      throw new AugmentationArgumentError(
        `subtractMean: ${m.length} channel means for a ${c}-channel image.`,
      );
    }
    return m.map((v) => -v);
  };
  return {
    kind: 'float',
    name: `subtractMean([${m}])`,
    channelShift: shift,
    apply(img) {
      addPerChannel(img, shift(img.channels));
    },
  };
}

/** x ← (x · scale − mean) / std per channel (e.g. torchvision's ToTensor + Normalize on 0..255 input). */
export function normalize(options: {
  scale?: number;
  mean: number[];
  std: number[];
}): FloatTransform {
  if (options === undefined) {
    throw new AugmentationArgumentError(
      "normalize needs { mean, std } (e.g. ImageNet's, on 0..1 pixels). Received: no options.",
    );
  }
  checkOptionKeys(options, ['scale', 'mean', 'std'], 'normalize');
  const { scale = 1, mean, std } = options;
  const numbers = (v: unknown) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (
    !numbers(mean) ||
    !numbers(std) ||
    mean.length !== std.length ||
    std.some((s) => !(s > 0)) ||
    typeof scale !== 'number' ||
    !Number.isFinite(scale)
  ) {
    throw new AugmentationArgumentError(
      `Arguments \`mean\` and \`std\` must be number arrays of equal length with std > 0, \`scale\` a number. ` +
        `Received: mean=${received(mean)}, std=${received(std)}, scale=${received(scale)}`,
    );
  }
  return {
    kind: 'float',
    name: 'normalize',
    apply(img) {
      const c = img.channels;
      const d = img.data;
      const a = std.map((s) => scale / s);
      const b = mean.map((m, k) => m / std[k]);
      for (let i = 0; i < d.length; i += c)
        for (let k = 0; k < c; k++) d[i + k] = d[i + k] * a[k] - b[k];
    },
  };
}

/** Options of {@link pcaLighting}. */
export interface PcaLightingOptions {
  /** Row-major 3×3, column i = pᵢ (`DatasetStats.eigenvectors`, `numpy.linalg.eigh`'s layout). */
  eigenvectors: number[];
  /**
   * σᵢ = √λᵢ: the STANDARD DEVIATIONS of the pixels along the principal colour axes, in the
   * units of the pixels here (`DatasetStats.eigenStd`; ≈ 155 levels for the first axis of the
   * bundled Fashion-MNIST subset). Not the eigenvalues: those are variances (≈ 24,000 levels²).
   */
  eigenStd: number[];
  /** Standard deviation of αᵢ. Default 0.1 (AlexNet, Sec. 4.1). */
  std?: number;
}

/**
 * AlexNet's PCA colour augmentation (Krizhevsky et al. 2012, Sec. 4.1; He et al. 2015, Sec. 3
 * "Training" uses it). Per image draw α ∈ R³, αᵢ ~ N(0, std²) (std = 0.1), and add to every pixel
 *
 *   Δ = [p₁ p₂ p₃] · [α₁σ₁, α₂σ₂, α₃σ₃]ᵀ,  σᵢ = √λᵢ
 *
 * with pᵢ, λᵢ the eigenvectors/eigenvalues of the 3×3 RGB covariance of the training pixels.
 * AlexNet's text writes αᵢλᵢ; common implementations (fb.resnet.torch's `Lighting`, torchvision
 * recipes) scale by the standard deviation along each axis, and so does this one, so that one
 * draw of α moves a pixel by a fraction `std` of the data's own spread: |Δ| for α = (0.1, 0, 0)
 * is 0.1·σ₁ ≈ 15 levels on the bundled set, where the eigenvalue (a variance in levels²) would
 * move it by ~2,400. `eigenStd` is named so that a variance cannot be passed by mistake; passing
 * `eigenvalues` throws, saying which field to pass.
 */
export function pcaLighting(options: PcaLightingOptions): FloatTransform {
  if (options === undefined) {
    throw new AugmentationArgumentError(
      'pcaLighting needs { eigenvectors, eigenStd } (computeDatasetStats in @rectifier/data gives both). Received: no options.',
    );
  }
  if (options !== null && typeof options === 'object' && 'eigenvalues' in options) {
    throw new AugmentationArgumentError(
      'pcaLighting takes `eigenStd` (standard deviations σ = √λ along the principal axes, in pixel ' +
        'units: DatasetStats.eigenStd), not `eigenvalues` (variances, in squared pixel units: ' +
        'one σ of α would shift a pixel by thousands of levels). Pass ' +
        '{ eigenvectors: stats.eigenvectors, eigenStd: stats.eigenStd }, or the square roots of ' +
        `your eigenvalues. Received: eigenvalues=${received((options as { eigenvalues: unknown }).eigenvalues)}`,
    );
  }
  checkOptionKeys(options, ['eigenvectors', 'eigenStd', 'std'], 'pcaLighting');
  const { eigenStd: sigma, eigenvectors: V, std = 0.1 } = options;
  const numbers = (v: unknown, n: number) =>
    (Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array) &&
    v.length === n &&
    Array.from(v as ArrayLike<unknown>).every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!numbers(sigma, 3) || !numbers(V, 9) || Array.from(sigma).some((x) => x < 0)) {
    throw new AugmentationArgumentError(
      'pcaLighting needs `eigenStd` (3 standard deviations >= 0) and `eigenvectors` (a row-major 3x3 matrix: 9 numbers), ' +
        `e.g. from computeDatasetStats. Received: eigenStd=${received(sigma)}, eigenvectors=${received(V)}`,
    );
  }
  if (typeof std !== 'number' || !(std >= 0))
    throw new AugmentationArgumentError(
      `Argument \`std\` must be a number >= 0 (0.1 in AlexNet). Received: std=${received(std)}`,
    );
  // Δ is one RGB constant per image, so the whole transform is a per-channel add.
  const shift = (channels: number, rng: Rng) => {
    const delta = pcaShift(sigma, V, [rng.normal() * std, rng.normal() * std, rng.normal() * std]);
    if (channels !== 3)
      throw new AugmentationArgumentError('pcaLighting needs RGB (3-channel) images');
    return delta;
  };
  return {
    kind: 'float',
    name: `pcaLighting(std=${std})`,
    channelShift: shift,
    apply(img, rng) {
      addPerChannel(img, shift(img.channels, rng));
    },
  };
}

/** x ← x + shift[channel], in place (one pass, no allocation). */
function addPerChannel(img: RawImage<Float32Array>, shift: number[]): void {
  const d = img.data;
  const n = d.length;
  if (shift.length === 3) {
    const [a, b, c] = shift;
    for (let i = 0; i < n; i += 3) {
      d[i] += a;
      d[i + 1] += b;
      d[i + 2] += c;
    }
    return;
  }
  const c = shift.length;
  for (let i = 0; i < n; i += c) for (let k = 0; k < c; k++) d[i + k] += shift[k];
}

/** Δ = V · (α ∘ σ): the RGB shift of PCA lighting for given draws α (σ = `eigenStd`, √λ). */
export function pcaShift(
  eigenStd: number[],
  eigenvectors: number[],
  alpha: number[],
): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    for (let k = 0; k < 3; k++) out[r] += eigenvectors[r * 3 + k] * alpha[k] * eigenStd[k];
  }
  return out;
}

/** Rng for the float stage, exposed for tests: the float ops draw after all geometric ones. */
export type { RawImage, Rng };
