import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type IdxImageDataset,
  type ImageDataset,
  loadFashionMnistSubset,
  type RawImage,
  readFashionMnist,
  readIlsvrc,
  readImageBytes,
  readImageFolder,
  statsKey,
} from '@rectifier/data';
import sharp from 'sharp';
import { UsageError } from './errors';

/** One split as the app sees it: encoded images (what the test protocols read), labels, names. */
export interface Split {
  size: number;
  bytes(index: number): Promise<Buffer>;
  /**
   * The decoded pixels (uint8 HWC), for splits stored raw (IDX): the loaders' augmentation reads
   * them without the PNG round trip (`Pipeline.applyPixels`, the same pixels as from `bytes`).
   */
  pixels?(index: number): RawImage<Uint8Array>;
  label(index: number): number;
  /** A path or `idx:<n>`, for messages. */
  describe(index: number): string;
  /**
   * SHA-256 (hex) of what the split holds: for IDX the pixel and label bytes; for image folders
   * every path, label, size and modification time (reading 50,000 JPEGs to key a result would
   * cost more than testing). Stored test results are keyed by it.
   */
  contentKey(): string;
  /**
   * A key for the split's CONTENT under a preprocessing description (the statistics cache's
   * key): recoloured images under the same names get a new one.
   */
  statsKey(preprocessing: string): string;
}

export interface AppDataset {
  /** What it is, for reports: `Fashion-MNIST (bundled subset)`, `ILSVRC at /data/imagenet`… */
  name: string;
  kind: 'bundled' | 'idx' | 'ilsvrc' | 'image-folder';
  classes: string[];
  train: Split;
  val: Split;
}

/** IDX images (28×28 grey) encoded once each as PNG, so every split goes through the same decoders. */
function idxSplit(ds: IdxImageDataset, limit: number | null): Split {
  const cache = new Map<number, Promise<Buffer>>();
  const per = ds.height * ds.width;
  const size = Math.min(ds.count, limit ?? ds.count);
  return {
    size,
    bytes(i) {
      let p = cache.get(i);
      if (p === undefined) {
        p = sharp(Buffer.from(ds.images.subarray(i * per, (i + 1) * per)), {
          raw: { width: ds.width, height: ds.height, channels: 1 },
        })
          .png({ compressionLevel: 1 })
          .toBuffer();
        cache.set(i, p);
      }
      return p;
    },
    pixels: (i) => ({
      data: ds.images.subarray(i * per, (i + 1) * per),
      width: ds.width,
      height: ds.height,
      channels: 1,
    }),
    label: (i) => ds.labels[i],
    describe: (i) => `idx:${i}`,
    contentKey: () =>
      createHash('sha256')
        .update(ds.images.subarray(0, size * per))
        .update(ds.labels.subarray(0, size))
        .digest('hex'),
    // The pixels are in memory already: hash them (all 47 MB of Fashion-MNIST's training set:
    // 33 ms of CPU).
    statsKey(preprocessing) {
      const n = Math.min(ds.count, limit ?? ds.count);
      const digest = createHash('sha256')
        .update(ds.images.subarray(0, n * per))
        .update(preprocessing)
        .digest('hex')
        .slice(0, 16);
      return `${preprocessing}|n=${n}|idx:${digest}`;
    },
  };
}

function folderSplit(ds: ImageDataset, limit: number | null): Split {
  const samples = limit === null ? ds.samples : ds.samples.slice(0, limit);
  return {
    size: samples.length,
    bytes: (i) => readImageBytes(samples[i].path),
    label: (i) => samples[i].label,
    describe: (i) => samples[i].path,
    contentKey() {
      const h = createHash('sha256');
      for (const { path, label } of samples) {
        const st = statSync(path, { throwIfNoEntry: false });
        h.update(`${path}\0${label}\0${st?.size ?? 'missing'}\0${st?.mtimeMs ?? ''}\n`);
      }
      return h.digest('hex');
    },
    statsKey: (preprocessing) =>
      statsKey(
        samples.map((x) => x.path),
        preprocessing,
      ),
  };
}

const hasIdx = (dir: string) =>
  ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte'].some((f) => existsSync(join(dir, f)));

/**
 * Opens `data`: `bundled` (the Fashion-MNIST subset of @rectifier/data), a Fashion-MNIST IDX
 * folder (Debian's /usr/share/datasets/fashion-mnist), an ILSVRC-2012 root (`train/`, `val/`)
 * or an ImageFolder root with `train/` and `test/` (or `val/`) class folders.
 */
export function openDataset(
  data: string,
  limits: { train: number | null; val: number | null } = { train: null, val: null },
): AppDataset {
  if (data === 'bundled') {
    const train = loadFashionMnistSubset('train');
    return {
      name: 'Fashion-MNIST (bundled subset: first 1,800 train / 400 test)',
      kind: 'bundled',
      classes: train.classes,
      train: idxSplit(train, limits.train),
      val: idxSplit(loadFashionMnistSubset('test'), limits.val),
    };
  }
  if (!existsSync(data)) {
    throw new UsageError(
      `--data: no such folder. Received: ${data}. Point it at an IDX, ILSVRC or ImageFolder folder, or omit it for the bundled subset.`,
    );
  }
  if (hasIdx(data)) {
    const train = readFashionMnist('train', data);
    return {
      name: `Fashion-MNIST (IDX at ${data})`,
      kind: 'idx',
      classes: train.classes,
      train: idxSplit(train, limits.train),
      val: idxSplit(readFashionMnist('test', data), limits.val),
    };
  }
  if (existsSync(join(data, 'train')) && existsSync(join(data, 'val'))) {
    const train = readIlsvrc({ root: data, split: 'train' });
    return {
      name: `ILSVRC layout at ${data}`,
      kind: 'ilsvrc',
      classes: train.classes,
      train: folderSplit(train, limits.train),
      val: folderSplit(readIlsvrc({ root: data, split: 'val' }), limits.val),
    };
  }
  if (existsSync(join(data, 'train')) && existsSync(join(data, 'test'))) {
    const train = readImageFolder(join(data, 'train'));
    return {
      name: `ImageFolder at ${data}`,
      kind: 'image-folder',
      classes: train.classes,
      train: folderSplit(train, limits.train),
      val: folderSplit(readImageFolder(join(data, 'test'), { classes: train.classes }), limits.val),
    };
  }
  throw new UsageError(
    `--data ${data}: not a data set this app reads. Expected Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz]), an ILSVRC root (train/ and val/) or an ImageFolder root (train/ and test/ class folders).`,
  );
}
