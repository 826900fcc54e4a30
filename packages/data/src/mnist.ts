import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataArgumentError, DatasetLayoutError, LabelRangeError } from './errors';
import { readIdx } from './idx';
import type { RawImage } from './image';

/** An MNIST-format data set in memory: N images of H×W uint8 pixels and N uint8 labels. */
export interface IdxImageDataset {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** Class names, index = label. */
  classes: string[];
}

/** Fashion-MNIST's ten classes, index = label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Where Debian's `dataset-fashion-mnist` package installs the full data set. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Reads an images IDX file (N×H×W uint8) and a labels IDX file (N uint8), gzipped or not. Every
 * label must be a class index, 0 … classes.length − 1 (ten classes when `classes` is empty): a
 * larger label would train an output the model does not have, so it throws
 * {@link LabelRangeError} naming the file, the first bad index and its value.
 */
export function readIdxImageDataset(
  imagesPath: string,
  labelsPath: string,
  classes: string[] = [],
): IdxImageDataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.shape.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new DatasetLayoutError(
      imagesPath,
      `Expected a uint8 N×H×W images IDX file, got shape [${images.shape}]`,
    );
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new DatasetLayoutError(
      labelsPath,
      `Expected ${images.shape[0]} labels, got shape [${labels.shape}]`,
    );
  }
  const [count, height, width] = images.shape;
  const names = classes.length > 0 ? classes : Array.from({ length: 10 }, (_, i) => String(i));
  checkLabels(labels.data, names.length, labelsPath);
  return {
    images: images.data,
    labels: Uint8Array.from(labels.data as ArrayLike<number>),
    count,
    height,
    width,
    classes: names,
  };
}

/** Throws on the first label that is not an integer in [0, classCount), counting all bad ones. */
function checkLabels(labels: ArrayLike<number>, classCount: number, path: string): void {
  const ok = (v: number) => Number.isInteger(v) && v >= 0 && v < classCount;
  let first = -1;
  let bad = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!ok(labels[i])) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (first < 0) return;
  const value = labels[first];
  throw new LabelRangeError(
    path,
    first,
    value,
    classCount,
    `Label ${value} at index ${first} is outside the ${classCount} classes (0 … ${classCount - 1}); ` +
      `${bad} of ${labels.length} labels are. Pass the data set's class list (\`classes\`) if it ` +
      'has more classes, or fix the labels file',
  );
}

/**
 * Reads the full Fashion-MNIST (60,000 train / 10,000 test) from `dir` with the original file
 * names (`train-images-idx3-ubyte.gz`, `t10k-...`; the `.gz` may be absent).
 */
export function readFashionMnist(
  split: 'train' | 'test',
  dir: string = DEBIAN_FASHION_MNIST_DIR,
): IdxImageDataset {
  if (split !== 'train' && split !== 'test') {
    throw new DataArgumentError(
      `Argument \`split\` must be 'train' or 'test'. Received: split=${JSON.stringify(split)}`,
    );
  }
  const prefix = split === 'train' ? 'train' : 't10k';
  const find = (stem: string) => {
    for (const name of [`${prefix}-${stem}.gz`, `${prefix}-${stem}`]) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
    throw new DatasetLayoutError(
      dir,
      `Fashion-MNIST file ${prefix}-${stem}[.gz] not found; install Debian's dataset-fashion-mnist or pass its folder`,
    );
  };
  return readIdxImageDataset(
    find('images-idx3-ubyte'),
    find('labels-idx1-ubyte'),
    FASHION_MNIST_CLASSES,
  );
}

/**
 * Folder of the subset shipped inside this package: src/assets in the repo, dist/assets in the
 * tarball (the build copies it there, so the published package is dist/ and its docs only).
 */
export function bundledAssetsDir(): string {
  return fileURLToPath(new URL('./assets/', import.meta.url));
}

/**
 * The real Fashion-MNIST subset bundled with this package, so a default run needs no download:
 * the first 1,800 training and first 400 test examples (gzipped IDX, < 1 MB, MIT licence in
 * `dist/assets/LICENSE-fashion-mnist.md`).
 */
export function loadFashionMnistSubset(split: 'train' | 'test'): IdxImageDataset {
  if (split !== 'train' && split !== 'test') {
    throw new DataArgumentError(
      `Argument \`split\` must be 'train' or 'test'. Received: split=${JSON.stringify(split)}`,
    );
  }
  const dir = bundledAssetsDir();
  return readIdxImageDataset(
    join(dir, `fashion-mnist-${split}-images-idx3-ubyte.gz`),
    join(dir, `fashion-mnist-${split}-labels-idx1-ubyte.gz`),
    FASHION_MNIST_CLASSES,
  );
}

/**
 * A loader-ready view of an IDX data set: `load(i)` returns image i as an H×W×1 float32 image in
 * [0, 1] (pass it to `createLoader` with `label: (i) => ds.labels[i]`).
 */
// The explicit return type keeps `Float32Array<ArrayBuffer>` (TypeScript ≥ 5.7 only) out of the
// emitted .d.ts, so users on TypeScript 5.0–5.6 can compile against it.
export function idxExample(ds: IdxImageDataset, index: number): RawImage<Float32Array> {
  const per = ds.height * ds.width;
  const data = new Float32Array(per);
  const src = ds.images.subarray(index * per, (index + 1) * per);
  for (let i = 0; i < per; i++) data[i] = src[i] / 255;
  return { data, height: ds.height, width: ds.width, channels: 1 };
}
