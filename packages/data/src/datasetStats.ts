import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { received } from '@rectifier/core';
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
  /**
   * Eigenvalues of `covariance`, descending: VARIANCES along the principal colour axes, in squared
   * pixel units (0..255² for raw pixels; λ₁ ≈ 24,000 on the bundled Fashion-MNIST subset). Not
   * what `pcaLighting` scales by: pass it `eigenStd`.
   */
  eigenvalues: number[];
  /**
   * √eigenvalues: STANDARD DEVIATIONS along the principal colour axes, in pixel units (≈ 155
   * levels for λ₁ ≈ 24,000). AlexNet's colour augmentation scales by these
   * (`pcaLighting({ eigenvectors, eigenStd })`), so one σ of α = 0.1 moves a pixel by ~15 levels.
   */
  eigenStd: number[];
  /** Row-major; column k = eigenvector of eigenvalue k (input of `pcaLighting`). */
  eigenvectors: number[];
  /**
   * The content key these statistics were computed for (`key` option, e.g. from
   * {@link statsKey}), or null. A run can record it beside the statistics (see
   * {@link statsToJson}) to show which data they describe.
   */
  key: string | null;
}

export interface StatsOptions {
  size: number;
  /** Example i as a fixed-size image (e.g. resize shorter side + centre crop to the crop size). */
  load: (index: number) => Promise<RawImage>;
  /** Examples in flight at once (default 4). */
  concurrency?: number;
  /** JSON cache file: reused when its `key` matches, written otherwise. Needs `key`. */
  cachePath?: string;
  /**
   * Identifies the data set's CONTENT and the preprocessing (required with `cachePath`): build it
   * with {@link statsKey}, which hashes the files' names with their sizes and mtimes or bytes, so
   * recoloured images under the same names get a new key and new statistics.
   */
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
  const key = options.key ?? null;
  if (key !== null && (typeof key !== 'string' || key.length === 0)) {
    throw new DataArgumentError(
      `Argument \`key\` must be a non-empty string (statsKey(paths, preprocessing)). Received: key=${received(key)}`,
    );
  }
  if (cachePath !== undefined && key === null) {
    // A cache keyed by less than the content hands back another data set's mean.
    throw new DataArgumentError(
      'computeDatasetStats: `cachePath` needs a `key` that identifies the content, e.g. ' +
        "key: statsKey(paths, 'resize256-center224') (hashes names, sizes and mtimes or bytes). " +
        `Received: cachePath=${received(cachePath)}, key=undefined`,
    );
  }
  if (cachePath && key !== null && existsSync(cachePath)) {
    try {
      const cached = statsFromJson(JSON.parse(readFileSync(cachePath, 'utf8')));
      if (cached.key === key) return cached;
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
    eigenvalues: eig.eigenvalues,
    eigenStd: eig.eigenvalues.map(standardDeviation),
    eigenvectors: eig.eigenvectors,
    key,
  };
  if (cachePath) {
    mkdirSync(dirname(cachePath), { recursive: true });
    writeFileSync(cachePath, JSON.stringify(statsToJson(stats)));
  }
  return stats;
}

/** √λ; a variance a rounding error made slightly negative is 0. */
function standardDeviation(variance: number): number {
  return Math.sqrt(Math.max(0, variance));
}

/** How {@link statsKey} reads the files: `'auto'` = bytes up to 64 MiB in all, else stat. */
export type StatsKeyContent = 'stat' | 'bytes' | 'auto';

/** Above this total size `content: 'auto'` hashes sizes and mtimes instead of bytes. */
const AUTO_BYTES_LIMIT = 64 * 2 ** 20;

/**
 * A cache key for the CONTENT of a list of files and a preprocessing description. Every file's
 * name enters the hash with either its size and mtime (`content: 'stat'`: one stat per file) or
 * its bytes (`'bytes'`: exact); the default `'auto'` hashes the bytes when the files total at most
 * 64 MiB and sizes + mtimes above that. Measured on 300 files of 110 KB (2 shared cores, loaded):
 * 'stat' 4–15 ms, 'bytes' 0.12–0.7 s — against ~1.4 s to decode and resize 300 such JPEGs for
 * the statistics themselves. Rewriting an image under the same name (recolouring) changes its
 * mtime, and usually its size, so either mode gives a new key; only 'bytes' also sees a rewrite
 * that keeps both (`cp -p`, `rsync -t`). A file that cannot be stat'ed enters as its error code
 * (the statistics skip it).
 */
export function statsKey(
  paths: readonly string[],
  preprocessing: string,
  options: { content?: StatsKeyContent } = {},
): string {
  checkOptionKeys(options, ['content'], 'statsKey');
  const { content = 'auto' } = options;
  if (content !== 'stat' && content !== 'bytes' && content !== 'auto') {
    throw new DataArgumentError(
      `Option \`content\` of statsKey must be 'stat', 'bytes' or 'auto'. Received: content=${received(content)}`,
    );
  }
  const stats = paths.map((p) => {
    try {
      return statSync(p);
    } catch (cause) {
      return (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    }
  });
  const total = stats.reduce((t, st) => t + (typeof st === 'string' ? 0 : st.size), 0);
  const mode = content === 'auto' ? (total <= AUTO_BYTES_LIMIT ? 'bytes' : 'stat') : content;
  const h = createHash('sha256');
  paths.forEach((p, i) => {
    const st = stats[i];
    h.update(p).update('\0');
    if (typeof st === 'string') h.update(`!${st}`);
    else if (mode === 'stat') h.update(`${st.size}:${st.mtimeMs}`);
    else {
      try {
        h.update(readFileSync(p));
      } catch (cause) {
        h.update(`!${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
    }
    h.update('\0');
  });
  const digest = h.update(preprocessing).digest('hex').slice(0, 16);
  return `${preprocessing}|n=${paths.length}|${mode}:${digest}`;
}

/** {@link DatasetStats} as plain JSON (the mean image base64-encoded float32). */
export interface DatasetStatsJson extends Omit<DatasetStats, 'meanImage'> {
  meanImage: string;
}

/**
 * Statistics as a JSON-safe object — what the cache file holds, and what a run directory can
 * store so that evaluating the run never consults a cache. Round-trips exactly through
 * {@link statsFromJson}.
 */
export function statsToJson(stats: DatasetStats): DatasetStatsJson {
  const { meanImage, ...rest } = stats;
  return {
    ...rest,
    meanImage: Buffer.from(meanImage.buffer, meanImage.byteOffset, meanImage.byteLength).toString(
      'base64',
    ),
  };
}

/**
 * Reads what {@link statsToJson} wrote, checking its shape; throws {@link DataArgumentError}
 * naming the field otherwise. JSON from before `eigenStd` existed gets it from `eigenvalues`.
 */
export function statsFromJson(json: unknown): DatasetStats {
  const j = json as Partial<DatasetStatsJson>;
  const bad = (field: string, value: unknown) =>
    new DataArgumentError(
      `statsFromJson: field \`${field}\` is missing or malformed. Received: ${field}=${received(value)}`,
    );
  if (j === null || typeof j !== 'object') throw bad('(object)', j);
  const numbers = (field: keyof DatasetStatsJson) => {
    const v = j[field];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw bad(field, v);
    return v as number[];
  };
  const int = (field: 'height' | 'width' | 'channels' | 'count') => {
    const v = j[field];
    if (!Number.isInteger(v) || (v as number) < 0) throw bad(field, v);
    return v as number;
  };
  const [height, width, channels, count] = [
    int('height'),
    int('width'),
    int('channels'),
    int('count'),
  ];
  if (typeof j.meanImage !== 'string') throw bad('meanImage', j.meanImage);
  const buf = Buffer.from(j.meanImage, 'base64');
  const meanImage = new Float32Array(
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength - (buf.byteLength % 4)),
  );
  if (meanImage.length !== height * width * channels) {
    throw bad('meanImage', `${meanImage.length} values for ${height}x${width}x${channels}`);
  }
  const eigenvalues = numbers('eigenvalues');
  const key = j.key ?? null;
  if (key !== null && typeof key !== 'string') throw bad('key', key);
  return {
    height,
    width,
    channels,
    count,
    meanImage,
    channelMean: numbers('channelMean'),
    covariance: numbers('covariance'),
    eigenvalues,
    eigenStd: j.eigenStd === undefined ? eigenvalues.map(standardDeviation) : numbers('eigenStd'),
    eigenvectors: numbers('eigenvectors'),
    key,
  };
}
