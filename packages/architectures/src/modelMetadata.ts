import type * as tf from '@tensorflow/tfjs';
import { ModelFileError } from './errors';

/** The mean subtracted from every pixel (Sec. 3), as the run used it: per channel or per pixel. */
export type MeanSpec =
  | {
      /** One value per channel, in `colorOrder`, in 0..255 units. */
      perChannel: number[];
    }
  | {
      /** The mean image at the crop size, HWC float32 values in 0..255 units. */
      perPixel: number[];
      height: number;
      width: number;
    };

/**
 * How to turn an image file into the model's input, as the run that trained it did at test
 * time: decode to `channels` channels in `colorOrder` with values in 0..255 (a grey image as
 * three equal channels), resize the shorter side to `resizeShorter` (bilinear), take the centre
 * `crop`×`crop`, subtract `mean`. With @rectifier/augmentation:
 * `compose(resizeShorter(p.resizeShorter), centerCrop(p.crop), subtractMean(p.mean))`.
 */
export interface Preprocessing {
  /** The square input side the model was trained at (its crops). */
  inputSize: number;
  /** The shorter side an image is resized to before the centre crop. */
  resizeShorter: number;
  /** The centre crop's side (= `inputSize`). */
  crop: number;
  channels: 3;
  colorOrder: 'RGB';
  /** Pixel values before the mean is subtracted. */
  range: [0, 255];
  mean: MeanSpec;
}

/**
 * What `rectifier export` writes into model.json's `userDefinedMetadata.rectifier`: what a user
 * needs to feed the model and read its output. Read it with `readModelMetadata(model)`.
 */
export interface ModelMetadata {
  /** Version of this record's layout. */
  format: 1;
  /** Class names in the order of the model's outputs. */
  classes: string[];
  preprocessing: Preprocessing;
}

const isNumbers = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isSide = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Every way `value` is not a ModelMetadata (empty when it is one). */
function problems(value: unknown): string[] {
  const m = value as Partial<ModelMetadata> | undefined;
  if (typeof m !== 'object' || m === null) return ['it is not an object'];
  const out: string[] = [];
  if (m.format !== 1) out.push(`format must be 1 (received ${JSON.stringify(m.format)})`);
  if (!Array.isArray(m.classes) || m.classes.some((c) => typeof c !== 'string')) {
    out.push('classes must be an array of strings');
  }
  const p = m.preprocessing as Partial<Preprocessing> | undefined;
  if (typeof p !== 'object' || p === null) return [...out, 'preprocessing is missing'];
  for (const key of ['inputSize', 'resizeShorter', 'crop'] as const) {
    if (!isSide(p[key])) out.push(`preprocessing.${key} must be a positive integer`);
  }
  if (p.channels !== 3) out.push('preprocessing.channels must be 3');
  if (p.colorOrder !== 'RGB') out.push('preprocessing.colorOrder must be "RGB"');
  if (!isNumbers(p.range) || p.range[0] !== 0 || p.range[1] !== 255) {
    out.push('preprocessing.range must be [0, 255]');
  }
  const mean = p.mean as Record<string, unknown> | undefined;
  if (mean === undefined || mean === null) out.push('preprocessing.mean is missing');
  else if ('perChannel' in mean) {
    if (!isNumbers(mean.perChannel) || mean.perChannel.length !== p.channels) {
      out.push('preprocessing.mean.perChannel must hold one number per channel');
    }
  } else if ('perPixel' in mean) {
    const size = (mean.height as number) * (mean.width as number) * 3;
    if (!isSide(mean.height) || !isSide(mean.width) || !isNumbers(mean.perPixel)) {
      out.push('preprocessing.mean.perPixel needs height, width and numbers');
    } else if (mean.perPixel.length !== size) {
      out.push(`preprocessing.mean.perPixel must hold height×width×3 = ${size} numbers`);
    }
  } else out.push('preprocessing.mean must have perChannel or perPixel');
  return out;
}

/** Checks `metadata` and stores it on `model`, where `model.save` writes it into model.json. */
export function setModelMetadata(model: tf.LayersModel, metadata: ModelMetadata): void {
  const found = problems(metadata);
  if (found.length > 0) {
    throw new ModelFileError(`Invalid model metadata: ${found.join('; ')}.`);
  }
  model.setUserDefinedMetadata({ rectifier: metadata });
}

/**
 * The class names and preprocessing stored in a model loaded from a `rectifier export`
 * (`userDefinedMetadata.rectifier` in its model.json). Throws `ModelFileError` when the model
 * carries none (it was saved some other way) or when the record is malformed, naming every
 * problem.
 */
export function readModelMetadata(model: tf.LayersModel): ModelMetadata {
  const stored = model.getUserDefinedMetadata() as { rectifier?: unknown } | undefined;
  if (stored?.rectifier === undefined) {
    throw new ModelFileError(
      'This model carries no Rectifier metadata (model.json has no `userDefinedMetadata.rectifier`): ' +
        'it was not written by `rectifier export`. Export the run with `rectifier export <runDir>`, ' +
        'or preprocess as its training did.',
    );
  }
  const found = problems(stored.rectifier);
  if (found.length > 0) {
    throw new ModelFileError(`Invalid Rectifier metadata in model.json: ${found.join('; ')}.`);
  }
  return stored.rectifier as ModelMetadata;
}
