// Shared by this package's tests only (not exported from index.ts).
import { type BuiltModel, buildModel, type ModelName } from '@rectifier/architectures';
import { normalize } from '@rectifier/augmentation';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

/** Pixels 0..255 → about N(0, 1), so an MSRA trunk's maps are O(1). */
export const preprocess = [
  normalize({ scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.3, 0.3, 0.3] }),
];

/**
 * A narrow model whose head weights are redrawn with std sqrt(1/fanIn) (the paper's 0.01 / 0.001
 * fc init makes every softmax nearly uniform, which would hide a wrong window or view): logits
 * are O(1), so scores of different windows differ by far more than float error.
 */
export function tinyModel(
  name: ModelName = 'small',
  options: { sppBinning?: 'adaptive' | 'sppnet'; softmax?: boolean } = {},
): BuiltModel {
  const built = buildModel(name, {
    widthMultiplier: 1 / 16,
    fcUnits: 32,
    numClasses: 7,
    seed: 3,
    ...options,
  });
  let seed = 11;
  for (const layer of built.head.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0 || weights[0].rank !== 2) continue;
    const [kernel, ...rest] = weights;
    const fresh = tf.randomNormal(
      kernel.shape,
      0,
      Math.sqrt(1 / kernel.shape[0]),
      'float32',
      seed++,
    );
    const bias = rest.map((b) => tf.randomNormal(b.shape, 0, 0.1, 'float32', seed++));
    layer.setWeights([fresh, ...bias]);
    tf.dispose([fresh, ...bias]);
  }
  return built;
}

/** A PNG of random pixels (seeded LCG), optionally mirror-symmetric left↔right. */
export async function randomPng(
  width: number,
  height: number,
  seed: number,
  symmetric = false,
): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let s = seed + 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    data[i] = s >>> 23;
  }
  if (symmetric) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width / 2; x++) {
        for (let c = 0; c < 3; c++) {
          data[(y * width + (width - 1 - x)) * 3 + c] = data[(y * width + x) * 3 + c];
        }
      }
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
