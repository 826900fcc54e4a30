import { createRng, loadFashionMnistSubset, type RawImage } from '@rectifier/data';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compose, type Pipeline } from './compose';
import { AugmentationArgumentError } from './errors';
import { pcaLighting, subtractMean } from './floatTransforms';
import {
  centerCrop,
  horizontalFlip,
  randomCrop,
  resizeShorter,
  scaleJitter,
  tenCrop,
} from './transforms';

const fashion = loadFashionMnistSubset('train');
const per = fashion.width * fashion.height;
const grey = (i: number): RawImage<Uint8Array> => ({
  data: fashion.images.subarray(i * per, (i + 1) * per),
  width: fashion.width,
  height: fashion.height,
  channels: 1,
});

/** A 37×23 RGB image of random bytes: odd sizes, every value, no structure to hide an offset. */
function rgbNoise(seed: number): RawImage<Uint8Array> {
  const rng = createRng(seed);
  const data = new Uint8Array(37 * 23 * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
  return { data, width: 37, height: 23, channels: 3 };
}

const png = (m: RawImage<Uint8Array>) =>
  sharp(Buffer.from(m.data), {
    raw: { width: m.width, height: m.height, channels: m.channels as 1 | 3 },
  })
    .png({ compressionLevel: 1 })
    .toBuffer();

/** Both entry points on the same image and seed: the same pixels and the same draws after. */
async function expectSame(pipeline: Pipeline, image: RawImage<Uint8Array>, seed: number) {
  const bytes = await png(image);
  const r1 = createRng(seed, 3, 7);
  const r2 = createRng(seed, 3, 7);
  const viaCodec = await pipeline.apply(bytes, r1);
  const viaPixels = await pipeline.applyPixels(image, r2);
  expect([viaPixels.width, viaPixels.height, viaPixels.channels]).toEqual([
    viaCodec.width,
    viaCodec.height,
    viaCodec.channels,
  ]);
  expect(Buffer.from(viaPixels.data.buffer).equals(Buffer.from(viaCodec.data.buffer))).toBe(true);
  expect(r2.next()).toBe(r1.next());
}

const mean = subtractMean({ perChannel: [72.9, 72.9, 72.9] });
// Each pipeline reaches a different branch of the pixel path: the JS enlargement window (with and
// without a pre-crop), crop and flip only, and sharp from raw pixels (reductions, other kernels).
const pipelines: [string, () => Pipeline][] = [
  [
    "table2's (resize 92, random crop 80, flip, mean)",
    () => compose(resizeShorter(92), randomCrop(80), horizontalFlip(0.5), mean),
  ],
  ['centre crop then enlarge', () => compose(centerCrop(20), resizeShorter(45), horizontalFlip())],
  [
    'scale jitter, crop, PCA lighting',
    () =>
      compose(
        scaleJitter({ min: 30, max: 61 }),
        randomCrop(29),
        pcaLighting({
          eigenStd: [20, 5, 1],
          eigenvectors: [0.58, 0.7, 0.4, 0.58, 0, -0.81, 0.58, -0.71, 0.4],
        }),
      ),
  ],
  ['crop and flip, no resize', () => compose(randomCrop(17), horizontalFlip(0.5), mean)],
  ['linear reduction (sharp)', () => compose(resizeShorter(19), randomCrop(15), horizontalFlip())],
  [
    'cubic enlargement (sharp)',
    () => compose(resizeShorter(50, { kernel: 'cubic' }), randomCrop(41), horizontalFlip(0.5)),
  ],
];

describe('Pipeline.applyPixels', () => {
  for (const [name, make] of pipelines) {
    it(`equals apply() on the PNG of the same pixels, bit for bit: ${name}`, async () => {
      const pipeline = make();
      for (let k = 0; k < 6; k++) await expectSame(pipeline, grey(k * 97), k);
      for (let k = 0; k < 3; k++) await expectSame(pipeline, rgbNoise(k), 100 + k);
    });
  }

  it('rejects what is not decoded uint8 pixels, and ten-crop pipelines', async () => {
    const p = compose(randomCrop(8));
    const rng = createRng(0);
    const bad = [
      undefined,
      Buffer.alloc(10),
      { data: new Float32Array(4), width: 2, height: 2, channels: 1 },
      { data: new Uint8Array(4), width: 2, height: 2, channels: 3 },
      { data: new Uint8Array(16), width: 2, height: 2, channels: 4 },
    ];
    for (const image of bad) {
      await expect(p.applyPixels(image as RawImage<Uint8Array>, rng)).rejects.toThrow(
        /applyPixels needs decoded pixels/,
      );
    }
    await expect(p.applyPixels(grey(0), {} as never)).rejects.toThrow(AugmentationArgumentError);
    await expect(compose(tenCrop(20)).applyPixels(grey(0), rng)).rejects.toThrow(/applyAll/);
  });
});
