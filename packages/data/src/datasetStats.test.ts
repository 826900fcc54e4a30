import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  computeDatasetStats,
  type DatasetStats,
  statsFromJson,
  statsKey,
  statsToJson,
} from './datasetStats';
import { decodeImage } from './decodeImage';
import { DataArgumentError, ImageDecodeError } from './errors';
import { createRng } from './rng';
import { symmetricEigen } from './symmetricEigen';
import { removeTmpDirs, tmp } from './testing/makeTree';

afterAll(removeTmpDirs);

describe('symmetricEigen', () => {
  it('reconstructs A = V diag(λ) Vᵀ with orthonormal V, λ descending', () => {
    const A = [4, 1, 2, 1, 3, 0.5, 2, 0.5, 5];
    const { eigenvalues: l, eigenvectors: V } = symmetricEigen(A);
    expect(l[0]).toBeGreaterThanOrEqual(l[1]);
    expect(l[1]).toBeGreaterThanOrEqual(l[2]);
    expect(l.reduce((a, b) => a + b)).toBeCloseTo(12, 10); // trace
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let a = 0;
        let vv = 0;
        for (let k = 0; k < 3; k++) {
          a += V[i * 3 + k] * l[k] * V[j * 3 + k];
          vv += V[k * 3 + i] * V[k * 3 + j];
        }
        expect(a).toBeCloseTo(A[i * 3 + j], 10);
        expect(vv).toBeCloseTo(i === j ? 1 : 0, 10);
      }
  });
});

describe('computeDatasetStats', () => {
  it('mean image and RGB covariance match a direct two-pass computation; cached on disk', async () => {
    const n = 30;
    const h = 4;
    const w = 5;
    const images = Array.from({ length: n }, (_, i) => {
      const rng = createRng(11, i);
      const d = new Uint8Array(h * w * 3);
      for (let p = 0; p < h * w; p++) {
        const base = rng.int(0, 200);
        d[p * 3] = base + rng.int(0, 30);
        d[p * 3 + 1] = Math.floor(base * 0.8) + rng.int(0, 20);
        d[p * 3 + 2] = rng.int(0, 255);
      }
      return d;
    });
    const load = async (i: number) => {
      if (i === 3) throw new ImageDecodeError('x.JPEG', 'truncated'); // skipped, not counted
      return { data: images[i], height: h, width: w, channels: 3 };
    };
    const cachePath = join(tmp('stats'), 'stats.json');
    const key = statsKey(['a', 'b'], 'center224');
    const s = await computeDatasetStats({ size: n, load, cachePath, key });
    expect(s.count).toBe(n - 1);
    const used = images.filter((_, i) => i !== 3);
    // two-pass reference
    const mean = [0, 0, 0];
    for (const d of used) for (let p = 0; p < d.length; p++) mean[p % 3] += d[p];
    const P = used.length * h * w;
    for (let c = 0; c < 3; c++) mean[c] /= P;
    const cov = new Array(9).fill(0);
    for (const d of used)
      for (let p = 0; p < d.length; p += 3)
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) cov[a * 3 + b] += (d[p + a] - mean[a]) * (d[p + b] - mean[b]);
    for (let k = 0; k < 9; k++) expect(s.covariance[k]).toBeCloseTo(cov[k] / P, 6);
    for (let c = 0; c < 3; c++) expect(s.channelMean[c]).toBeCloseTo(mean[c], 8);
    let m0 = 0;
    for (const d of used) m0 += d[7];
    expect(s.meanImage[7]).toBeCloseTo(m0 / used.length, 4);
    expect(s.eigenvalues.reduce((a, b) => a + b)).toBeCloseTo((cov[0] + cov[4] + cov[8]) / P, 6);
    expect(existsSync(cachePath)).toBe(true);
    // Second call reads the cache: `load` must not run.
    const again = await computeDatasetStats({
      size: n,
      cachePath,
      key,
      load: async () => {
        throw new Error('cache not used');
      },
    });
    expect(Array.from(again.meanImage)).toEqual(Array.from(s.meanImage));
    expect(again.eigenvectors).toEqual(s.eigenvectors);
  });
});

describe('the statistics cache is keyed by content', () => {
  /** Writes `n` flat-colour 6×6 PNGs named 0.png … with colour `rgb(i)`; returns the paths. */
  async function writeImages(dir: string, n: number, rgb: (i: number) => number[]) {
    const paths: string[] = [];
    for (let i = 0; i < n; i++) {
      const [r, g, b] = rgb(i);
      const path = join(dir, `${i}.png`);
      await sharp({ create: { width: 6, height: 6, channels: 3, background: { r, g, b } } })
        .png()
        .toFile(path);
      paths.push(path);
    }
    return paths;
  }

  const statsOf = (paths: string[], cachePath: string, key: string) =>
    computeDatasetStats({ size: paths.length, load: (i) => decodeImage(paths[i]), cachePath, key });

  it.each(['bytes', 'stat'] as const)(
    'recoloured images under the same names get a new key and a new mean (content: %s)',
    async (content) => {
      const dir = tmp(`recolour-${content}`);
      const cachePath = join(dir, 'cache', 'stats.json');
      const paths = await writeImages(dir, 4, (i) => [10 * i, 20, 30]);
      const before = statsKey(paths, 'as-is', { content });
      expect(before).toContain(`|${content}:`);
      const first = await statsOf(paths, cachePath, before);
      expect(first.channelMean).toEqual([15, 20, 30]);
      expect(first.key).toBe(before);
      // Same names, same sizes (flat PNGs of one size compress alike), other colours.
      const mtimes = paths.map((p) => statSync(p).mtime);
      await writeImages(dir, 4, (i) => [200 - 10 * i, 100, 50]);
      if (content === 'stat') {
        // 'stat' sees a rewrite through its mtime; move it 2 s on so that filesystems with
        // coarse timestamps see it too ('bytes' needs no such help).
        paths.forEach((p, i) => {
          utimesSync(p, mtimes[i], new Date(mtimes[i].getTime() + 2000));
        });
      }
      const after = statsKey(paths, 'as-is', { content });
      expect(after).not.toBe(before);
      const second = await statsOf(paths, cachePath, after);
      expect(second.channelMean).toEqual([185, 100, 50]);
      // And the cache still serves a key that matches.
      const third = await computeDatasetStats({
        size: paths.length,
        cachePath,
        key: after,
        load: async () => {
          throw new Error('cache not used');
        },
      });
      expect(third.channelMean).toEqual([185, 100, 50]);
    },
  );

  it("'auto' hashes the bytes of a small set; the preprocessing and the file list enter the key", async () => {
    const dir = tmp('auto');
    const paths = await writeImages(dir, 3, () => [1, 2, 3]);
    const key = statsKey(paths, 'resize8-crop6');
    expect(key).toMatch(/^resize8-crop6\|n=3\|bytes:[0-9a-f]{16}$/);
    expect(statsKey(paths, 'resize8-crop4')).not.toBe(key);
    expect(statsKey(paths.slice(0, 2), 'resize8-crop6')).not.toBe(key);
    // A file that cannot be read enters as its error, not as an exception.
    expect(statsKey([...paths, join(dir, 'gone.png')], 'p')).toMatch(/n=4/);
    expect(() => statsKey(paths, 'p', { content: 'mtime' as never })).toThrow(
      /'stat', 'bytes' or 'auto'.*"mtime"/,
    );
  });

  it('a cache needs a key; statistics round-trip through JSON exactly', async () => {
    const load = async (i: number) => ({
      data: Uint8Array.from({ length: 12 }, (_, k) => (k * 37 + i * 11) % 256),
      height: 2,
      width: 2,
      channels: 3,
    });
    await expect(
      computeDatasetStats({ size: 3, load, cachePath: join(tmp('nokey'), 's.json') }),
    ).rejects.toThrow(/`cachePath` needs a `key` that identifies the content/);
    const s = await computeDatasetStats({ size: 3, load, key: 'k' });
    const json = JSON.parse(JSON.stringify(statsToJson(s)));
    const back: DatasetStats = statsFromJson(json);
    expect(back).toEqual(s);
    expect(back.meanImage).toBeInstanceOf(Float32Array);
    // A cache file from before `eigenStd` existed still reads (√eigenvalues).
    const { eigenStd: _, ...old } = json;
    expect(statsFromJson(old).eigenStd).toEqual(s.eigenvalues.map((l) => Math.sqrt(l)));
    expect(() => statsFromJson({ ...json, meanImage: 'AAAA' })).toThrow(DataArgumentError);
    expect(() => statsFromJson({ ...json, eigenvalues: 'x' })).toThrow(/`eigenvalues`/);
    const cachePath = join(tmp('old-cache'), 's.json');
    writeFileSync(cachePath, JSON.stringify(old));
    const cached = await computeDatasetStats({
      size: 3,
      cachePath,
      key: 'k',
      load: async () => {
        throw new Error('cache not used');
      },
    });
    expect(cached).toEqual(s);
  });
});
