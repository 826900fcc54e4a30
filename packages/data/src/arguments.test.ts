import { describe, expect, it } from 'vitest';
import { computeDatasetStats } from './datasetStats';
import { DataArgumentError } from './errors';
import { readIlsvrc } from './ilsvrc';
import { readImageFolder } from './imageFolder';
import { createImageLoader, createLoader } from './loader';

const load = async () => ({ data: new Float32Array(1), height: 1, width: 1, channels: 1 });

describe('argument checks (names, types)', () => {
  it('misspelt option keys name the closest valid key', async () => {
    expect(() =>
      createLoader({ size: 4, batchSize: 2, load, label: () => 0, shufle: false } as never),
    ).toThrow(DataArgumentError);
    expect(() =>
      createLoader({ size: 4, batchSize: 2, load, label: () => 0, shufle: false } as never),
    ).toThrow(/`shufle` \(did you mean `shuffle`\?\)/);
    const dataset = { classes: ['a'], samples: [{ path: '/x.jpg', label: 0 }] };
    expect(() => createImageLoader(dataset, { batchSize: 1, transfrom: load } as never)).toThrow(
      /did you mean `transform`/,
    );
    expect(() => readImageFolder('/nonexistent', { clases: ['a'] } as never)).toThrow(
      /did you mean `classes`/,
    );
    expect(() => readIlsvrc({ root: '/x', split: 'val', groundtruth: 'y' } as never)).toThrow(
      /did you mean `groundTruth`/,
    );
    await expect(computeDatasetStats({ size: 1, load, cache: 'x' } as never)).rejects.toThrow(
      /did you mean `cachePath`/,
    );
  });

  it('wrong types are echoed with their type, before anything runs', () => {
    expect(() => createLoader({ size: '4', batchSize: 2, load, label: () => 0 } as never)).toThrow(
      /size="4" \(a string\)/,
    );
    expect(() => createLoader({ size: 4, batchSize: 2, load } as never)).toThrow(
      /`label` of createLoader must be a function.*label=undefined/,
    );
    expect(() => createLoader(undefined as never)).toThrow(DataArgumentError);
    expect(() => createImageLoader([] as never, { batchSize: 1 })).toThrow(
      /must be an ImageDataset/,
    );
    expect(() => readIlsvrc({ root: '/x', split: 'test' } as never)).toThrow(
      /split="test" \(a string\)/,
    );
  });
});
