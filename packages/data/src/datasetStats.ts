import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkOptionKeys, DataArgumentError, ImageDecodeError } from './errors';
import type { RawImage } from './image';
import { symmetricEigen } from './symmetricEigen';

/** Statistics of a data set at a fixed crop size, in the units of the images fed (e.g. 0..255). */
export interface DatasetStats {
  height: number;
  width: number;
  channels: number;
  /** Images that contributed (unreadable ones are skipped). */
  count: number;
  /** Per-pixel mean image, HWC float32 (what AlexNet-style `subtractMean(meanImage)` subtracts). */
  meanImage: Float32Array;
  /** Per-channel mean over all pixels. */
  channelMean: number[];
  /** channels×channels covariance of pixel colours over all pixels of all images, row-major. */
  covariance: number[];
  /** Eigenvalues of `covariance`, descending. */
  eigenvalues: number[];
  /** Row-major; column k = eigenvector of eigenvalue k (input of `pcaLighting`). */
  eigenvectors: number[];
}

export interface StatsOptions {
  size: number;
  /** Example i as a fixed-size image (e.g. resize shorter side + centre crop to the crop size). */
  load: (index: number) => Promise<RawImage>;
  /** Examples in flight at once (default 4). */
  concurrency?: number;
  /** JSON cache file: reused when its `key` matches, written otherwise. */
  cachePath?: string;
  /** Identifies the data set + preprocessing in the cache (e.g. a hash of paths and crop size). */
  key?: string;
}

/**
 * Streams every example once and accumulates, in float64, Σx per pixel (mean image) and Σx, Σxxᵀ
 * per colour (covariance = E[xxᵀ] − E[x]E[x]ᵀ over all N·H·W pixels), then eigen-decomposes the
 * covariance (Jacobi) for AlexNet's PCA colour augmentation (Krizhevsky et al. 2012, Sec. 4.1,
 * used by He et al. 2015, Sec. 3). Memory is one accumulator image, whatever the data-set size.
 */
export async function computeDatasetStats(options: StatsOptions): Promise<DatasetStats> {
  checkOptionKeys(
    options,
    ['size', 'load', 'concurrency', 'cachePath', 'key'],
    'computeDatasetStats',
  );
  const { size, load, concurrency = 4, cachePath } = options;
  const key = options.key ?? `size=${size}`;
  if (cachePath && existsSync(cachePath)) {
    try {
      const cached = JSON.parse(readFileSync(cachePath, 'utf8'));
      if (cached.key === key) return fromJson(cached);
    } catch {
      // An unreadable cache is recomputed and overwritten.
    }
  }
  let sum: Float64Array | undefined;
  let shape: [number, number, number] = [0, 0, 0];
  const cSum = new Float64Array(3);
  const cOuter = new Float64Array(9);
  let count = 0;
  let pixels = 0;
  const add = (img: RawImage) => {
    if (!sum) {
      shape = [img.height, img.width, img.channels];
      sum = new Float64Array(img.data.length);
    }
    if (img.height !== shape[0] || img.width !== shape[1] || img.channels !== shape[2]) {
      throw new DataArgumentError(
        `computeDatasetStats needs fixed-size images; got ${img.height}x${img.width}x${img.channels} ` +
          `after ${shape.join('x')}. Crop to a fixed size in \`load\`.`,
      );
    }
    const d = img.data;
    const c = img.channels;
    for (let i = 0; i < d.length; i++) sum[i] += d[i];
    if (c === 3) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        o00 = 0,
        o01 = 0,
        o02 = 0,
        o11 = 0,
        o12 = 0,
        o22 = 0;
      for (let i = 0; i < d.length; i += 3) {
        const r = d[i],
          g = d[i + 1],
          b = d[i + 2];
        s0 += r;
        s1 += g;
        s2 += b;
        o00 += r * r;
        o01 += r * g;
        o02 += r * b;
        o11 += g * g;
        o12 += g * b;
        o22 += b * b;
      }
      cSum[0] += s0;
      cSum[1] += s1;
      cSum[2] += s2;
      cOuter[0] += o00;
      cOuter[1] += o01;
      cOuter[2] += o02;
      cOuter[4] += o11;
      cOuter[5] += o12;
      cOuter[8] += o22;
    }
    pixels += img.height * img.width;
    count++;
  };
  // Bounded window: at most `concurrency` decoded images alive at once.
  let next = 0;
  const worker = async () => {
    while (next < size) {
      const i = next++;
      try {
        add(await load(i));
      } catch (err) {
        if (!(err instanceof ImageDecodeError)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (!sum || count === 0) throw new DataArgumentError('computeDatasetStats: no readable examples');
  const meanImage = Float32Array.from(sum, (s) => s / count);
  const [h, w, c] = shape;
  const channelMean = Array.from({ length: c }, (_, k) => {
    let s = 0;
    for (let i = k; i < sum!.length; i += c) s += sum![i];
    return s / (count * h * w);
  });
  let covariance: number[] = [];
  let eig = { eigenvalues: [] as number[], eigenvectors: [] as number[] };
  if (c === 3) {
    cOuter[3] = cOuter[1];
    cOuter[6] = cOuter[2];
    cOuter[7] = cOuter[5];
    const m = Array.from(cSum, (s) => s / pixels);
    covariance = Array.from(cOuter, (o, idx) => o / pixels - m[Math.floor(idx / 3)] * m[idx % 3]);
    eig = symmetricEigen(covariance, 3);
  }
  const stats: DatasetStats = {
    height: h,
    width: w,
    channels: c,
    count,
    meanImage,
    channelMean,
    covariance,
    ...eig,
  };
  if (cachePath) {
    mkdirSync(dirname(cachePath), { recursive: true });
    writeFileSync(cachePath, JSON.stringify(toJson(stats, key)));
  }
  return stats;
}

/** A cache key for a list of file paths and a preprocessing description. */
export function statsKey(paths: readonly string[], preprocessing: string): string {
  const h = createHash('sha256');
  for (const p of paths) h.update(p).update('\0');
  return `${preprocessing}|n=${paths.length}|${h.update(preprocessing).digest('hex').slice(0, 16)}`;
}

function toJson(s: DatasetStats, key: string) {
  const { meanImage, ...rest } = s;
  return {
    key,
    ...rest,
    meanImage: Buffer.from(meanImage.buffer, meanImage.byteOffset, meanImage.byteLength).toString(
      'base64',
    ),
  };
}

function fromJson(
  j: Omit<DatasetStats, 'meanImage'> & { key: string; meanImage: string },
): DatasetStats {
  const buf = Buffer.from(j.meanImage, 'base64');
  const meanImage = new Float32Array(
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
  );
  const { key: _key, ...rest } = j;
  return { ...rest, meanImage };
}
