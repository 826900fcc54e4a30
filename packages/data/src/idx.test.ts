import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataArgumentError, IdxFormatError, IdxSizeError, LabelRangeError } from './errors';
import { encodeIdxUint8, parseIdx, readIdx } from './idx';
import {
  bundledAssetsDir,
  FASHION_MNIST_CLASSES,
  loadFashionMnistSubset,
  readFashionMnist,
  readIdxImageDataset,
} from './mnist';
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

describe('IDX labels are class indices', () => {
  it('a label >= the class count is refused with the file, index and value', () => {
    const dir = tmp('labels');
    const images = join(dir, 'train-images-idx3-ubyte.gz');
    const labels = join(dir, 'train-labels-idx1-ubyte.gz');
    writeFileSync(images, gzipSync(encodeIdxUint8([4, 2, 2], new Uint8Array(16))));
    writeFileSync(labels, gzipSync(encodeIdxUint8([4], Uint8Array.from([0, 9, 10, 12]))));
    let error: unknown;
    try {
      readFashionMnist('train', dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabelRangeError);
    const e = error as LabelRangeError;
    expect([e.path, e.index, e.value, e.classCount]).toEqual([labels, 2, 10, 10]);
    expect(e.message).toContain('Label 10 at index 2 is outside the 10 classes (0 … 9)');
    expect(e.message).toContain('2 of 4 labels');
    expect(e.message).toContain(labels);
    // Without a class list the default is ten classes; a longer list admits the label.
    expect(() => readIdxImageDataset(images, labels)).toThrow(LabelRangeError);
    const ds = readIdxImageDataset(
      images,
      labels,
      Array.from({ length: 13 }, (_, i) => `c${i}`),
    );
    expect(Array.from(ds.labels)).toEqual([0, 9, 10, 12]);
  });

  it('negative labels (signed IDX types) are refused too, not wrapped to uint8', () => {
    const dir = tmp('labels-signed');
    const images = join(dir, 'images');
    const labels = join(dir, 'labels');
    writeFileSync(images, encodeIdxUint8([2, 1, 1], new Uint8Array(2)));
    // int8 labels [1, -1]: magic 00 00 09 01, size 2.
    writeFileSync(labels, Uint8Array.from([0, 0, 0x09, 1, 0, 0, 0, 2, 1, 0xff]));
    expect(() => readIdxImageDataset(images, labels)).toThrow(/Label -1 at index 1/);
  });
});

describe('IDX size limits', () => {
  /**
   * A gzip bomb: an IDX header declaring 16 bytes, then `mib` MiB of zeros in further gzip
   * members (gunzip reads concatenated members as one stream): ~1 KB of file per MiB inflated.
   */
  function bomb(mib: number): Buffer {
    const zeros = gzipSync(Buffer.alloc(2 ** 20), { level: 9 });
    return Buffer.concat([
      gzipSync(encodeIdxUint8([16], new Uint8Array(16).fill(7))),
      ...Array.from({ length: mib }, () => zeros),
    ]);
  }

  it('a gzip stream inflating past its declared size stops there with a typed error naming the file', () => {
    const path = join(tmp('bomb'), 'train-labels-idx1-ubyte.gz');
    const bytes = bomb(256); // 256 MiB of output from ~260 KB
    expect(bytes.length).toBeLessThan(2 ** 20);
    writeFileSync(path, bytes);
    const before = process.memoryUsage().arrayBuffers;
    let error: unknown;
    try {
      readIdx(path);
    } catch (e) {
      error = e;
    }
    // Inflation stopped at the declared 24 bytes (+ one 16 KiB zlib chunk): the 256 MiB were
    // never allocated. (A whole inflate-then-check would hold them here, uncollected.)
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(error).toBeInstanceOf(IdxSizeError);
    expect(error).toBeInstanceOf(IdxFormatError);
    expect((error as IdxSizeError).path).toBe(path);
    expect((error as Error).message).toMatch(
      /inflates to more than the 24 bytes its IDX header declares \(shape \[16\]\)/,
    );
    expect((error as Error).message).toContain(path);
    expect(grown).toBeLessThan(32 * 2 ** 20);
  });

  it('a header declaring more than `maxBytes` is refused before inflating; the limit is an option', () => {
    // 65535³ uint8 + a 16-byte header = 281,462,092,005,391 bytes declared, in a 20-byte file.
    const absurd = encodeIdxUint8([65535, 65535, 65535], new Uint8Array(4));
    expect(() => parseIdx(gzipSync(absurd), 'absurd.gz')).toThrow(IdxSizeError);
    expect(() => parseIdx(absurd, 'absurd')).toThrow(
      /declares shape \[65535,65535,65535\], 281462092005391 bytes, above the limit of 1073741824 bytes.*absurd/,
    );
    const small = gzipSync(encodeIdxUint8([100], new Uint8Array(100)));
    expect(parseIdx(small).shape).toEqual([100]);
    expect(() => parseIdx(small, 'small.gz', { maxBytes: 50 })).toThrow(
      /108 bytes, above the limit of 50 bytes/,
    );
    const path = join(tmp('maxbytes'), 'big');
    writeFileSync(path, encodeIdxUint8([4000], new Uint8Array(4000)));
    expect(() => readIdx(path, { maxBytes: 100 })).toThrow(/The file is 4008 bytes/);
    expect(() => readIdx(path, { maxBytes: 0 })).toThrow(DataArgumentError);
    expect(() => readIdx(path, { maxbytes: 1 } as never)).toThrow(/did you mean `maxBytes`/);
  });

  it('corrupt gzip data is still a typed format error', () => {
    const good = gzipSync(encodeIdxUint8([100], new Uint8Array(100).fill(3)));
    const bad = Buffer.from(good);
    bad.fill(0xff, 10, 30);
    expect(() => parseIdx(bad, 'bad.gz')).toThrow(/Corrupt gzip stream.*bad\.gz/);
  });
});

// sha256 of the first 784 pixel bytes of Debian's train-images-idx3-ubyte.gz (computed from that file).
const FIRST_IMAGE_SHA256_PREFIX = '5bd44e331a6d6998';
