import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IdxFormatError } from './errors';
import { encodeIdxUint8, parseIdx, readIdx } from './idx';
import { bundledAssetsDir, FASHION_MNIST_CLASSES, loadFashionMnistSubset } from './mnist';
import { removeTmpDirs, tmp } from './testing/makeTree';

afterAll(removeTmpDirs);

describe('IDX', () => {
  it('reads the bundled real Fashion-MNIST slice (gzipped) with known labels and checksum', () => {
    const train = loadFashionMnistSubset('train');
    expect([train.count, train.height, train.width]).toEqual([1800, 28, 28]);
    // First ten training labels of Fashion-MNIST (zalandoresearch/fashion-mnist, train-labels).
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(train.classes[9]).toBe('Ankle boot');
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
    const test = loadFashionMnistSubset('test');
    expect(test.count).toBe(400);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    // Pixel checksum: the bytes are Fashion-MNIST's, unchanged (first image = an ankle boot).
    const h = createHash('sha256').update(train.images.subarray(0, 784)).digest('hex');
    expect(h.slice(0, 16)).toBe(FIRST_IMAGE_SHA256_PREFIX);
    let sum = 0;
    for (let i = 0; i < train.labels.length; i++) sum += train.labels[i];
    expect(sum / train.labels.length).toBeGreaterThan(3.5); // ten classes, roughly balanced
    expect(sum / train.labels.length).toBeLessThan(5.5);
  });

  it('gzipped and raw files parse identically', () => {
    const gz = readFileSync(join(bundledAssetsDir(), 'fashion-mnist-test-labels-idx1-ubyte.gz'));
    const dir = tmp('idx');
    writeFileSync(join(dir, 'raw'), gunzipSync(gz));
    expect(readIdx(join(dir, 'raw'))).toEqual(parseIdx(gz));
  });

  it('round-trips, and reads big-endian int32/float32 payloads', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    expect(parseIdx(gzipSync(encodeIdxUint8([2, 3], data)))).toEqual({ shape: [2, 3], data });
    const f = new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0]);
    expect(Array.from(parseIdx(f).data)).toEqual([1, -2]);
    const i32 = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]);
    expect(Array.from(parseIdx(i32).data)).toEqual([-2]);
  });

  it('typed errors for bad magic and truncation', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]))).toThrow(IdxFormatError);
    expect(() => parseIdx(encodeIdxUint8([10], new Uint8Array(10)).subarray(0, 12))).toThrow(
      /Truncated IDX payload/,
    );
  });
});

// sha256 of the first 784 pixel bytes of Debian's train-images-idx3-ubyte.gz (computed from that file).
const FIRST_IMAGE_SHA256_PREFIX = '5bd44e331a6d6998';
