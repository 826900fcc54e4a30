import { createRng } from '@rectifier/data';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compose } from './compose';
import { AugmentationArgumentError } from './errors';
import { normalize, pcaLighting, subtractMean } from './floatTransforms';
import {
  centerCrop,
  horizontalFlip,
  randomCrop,
  resizeShorter,
  scaleJitter,
  tenCrop,
} from './transforms';
import { createWorkerPool } from './workerPool';

const png = () =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 9, g: 99, b: 199 } } })
    .png()
    .toBuffer();

describe('argument checks: typed errors instead of raw TypeErrors', () => {
  it('wrong call shapes of the factories', () => {
    // Was "(intermediate value) is not iterable".
    expect(() => randomCrop({ size: 224 } as never)).toThrow(AugmentationArgumentError);
    expect(() => randomCrop({ size: 224 } as never)).toThrow(
      /`size` of randomCrop must be a positive integer or \[height, width\].*Received: size=\{"size":224\}/,
    );
    expect(() => centerCrop('224' as never)).toThrow(/size="224" \(a string\)/);
    // Was "Cannot read properties of undefined (reading 'length')".
    expect(() => pcaLighting({ eigenStd: [1, 2, 3] } as never)).toThrow(AugmentationArgumentError);
    expect(() => pcaLighting({ eigenStd: [1, 2, 3] } as never)).toThrow(/eigenvectors=undefined/);
    expect(() => pcaLighting(undefined as never)).toThrow(/needs \{ eigenvectors, eigenStd \}/);
    expect(() => normalize({ mean: [0.5] } as never)).toThrow(/std=undefined/);
    expect(() => normalize(undefined as never)).toThrow(AugmentationArgumentError);
    expect(() => subtractMean(undefined as never)).toThrow(AugmentationArgumentError);
    expect(() => horizontalFlip('0.5' as never)).toThrow(/p="0.5" \(a string\)/);
    expect(() => tenCrop([224, 224] as never)).toThrow(AugmentationArgumentError);
    expect(() => compose(randomCrop as never)).toThrow(/every argument must be a transform/);
  });

  it('misspelt option keys name the closest valid key', () => {
    expect(() => scaleJitter({ min: 256, max: 512, kernal: 'linear' } as never)).toThrow(
      /`kernal` \(did you mean `kernel`\?\)/,
    );
    expect(() => resizeShorter(256, { kernel: 'bilinear' as never })).toThrow(/kernel="bilinear"/);
    expect(() =>
      pcaLighting({
        eigenStd: [1, 2, 3],
        eigenvectors: [1, 0, 0, 0, 1, 0, 0, 0, 1],
        sd: 0.1,
      } as never),
    ).toThrow(/`sd` \(did you mean `std`\?\)/);
    expect(() => normalize({ mean: [0], std: [1], scal: 1 } as never)).toThrow(
      /did you mean `scale`/,
    );
    expect(() => subtractMean({ perchannel: [1, 2, 3] } as never)).toThrow(
      /did you mean `perChannel`/,
    );
    expect(() => createWorkerPool({ worker: 2 } as never)).toThrow(/did you mean `workers`/);
  });

  it('pipeline.apply without an rng, or with something other than bytes', async () => {
    const bytes = await png();
    const p = compose(centerCrop(4));
    // Was "Cannot read properties of undefined (reading 'int')" (randomCrop) — now checked before decoding.
    await expect(compose(randomCrop(4)).apply(bytes, undefined as never)).rejects.toThrow(
      /needs an rng.*createRng\(seed, epoch, index\).*rng=undefined/,
    );
    await expect(p.apply(bytes, 7 as never)).rejects.toThrow(AugmentationArgumentError);
    await expect(p.apply('img.jpg' as never, createRng(0))).rejects.toThrow(
      /encoded image bytes.*bytes="img.jpg" \(a string\)/,
    );
    await expect(p.applyAll(bytes, {} as never)).rejects.toThrow(/needs an rng/);
    expect((await p.apply(bytes, createRng(0))).width).toBe(4);
  });
});
