import {
  computeDatasetStats,
  createRng,
  decodeImageBytes,
  loadFashionMnistSubset,
} from '@rectifier/data';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compose } from './compose';
import { AugmentationArgumentError } from './errors';
import { normalize, pcaLighting, pcaShift, subtractMean } from './floatTransforms';
import {
  centerCrop,
  horizontalFlip,
  randomCrop,
  resizeShorter,
  scaleJitter,
  shorterSideSize,
  tenCrop,
} from './transforms';

async function photo(w: number, h: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      raw[i] = (x * 7 + y) % 256;
      raw[i + 1] = (y * 5) % 256;
      raw[i + 2] = (x * y) % 256;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

describe('geometric transforms', () => {
  it('shorter-side sizes follow torchvision (int truncation)', () => {
    expect(shorterSideSize(500, 375, 256)).toEqual({ width: 341, height: 256 });
    expect(shorterSideSize(375, 500, 256)).toEqual({ width: 256, height: 341 });
    expect(shorterSideSize(300, 300, 224)).toEqual({ width: 224, height: 224 });
  });

  it('scaleJitter draws s uniformly from [min, max] inclusive', () => {
    const p = compose(scaleJitter({ min: 256, max: 260 }));
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++)
      seen.add(
        Math.min(
          ...Object.values(shorterSideSize(500, 375, 1)).map(
            () => p.plan(500, 375, createRng(i)).height,
          ),
        ),
      );
    expect([...seen].sort()).toEqual([256, 257, 258, 259, 260]);
  });

  it('same seed → same pixels; different seed → different crop', async () => {
    const bytes = await photo(120, 90);
    const p = compose(
      scaleJitter({ min: 64, max: 100 }),
      randomCrop(48),
      horizontalFlip(0.5),
      pcaLighting({ eigenStd: [50, 5, 1], eigenvectors: [1, 0, 0, 0, 1, 0, 0, 0, 1] }),
    );
    const a = await p.apply(bytes, createRng(42, 0, 7));
    const b = await p.apply(bytes, createRng(42, 0, 7));
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    const c = await p.apply(bytes, createRng(43, 0, 7));
    expect(Array.from(c.data)).not.toEqual(Array.from(a.data));
    expect([a.height, a.width, a.channels]).toEqual([48, 48, 3]);
  });

  it('a leading per-channel float step fused into the float conversion gives the same pixels', async () => {
    const bytes = await photo(120, 90);
    const geo = () => [scaleJitter({ min: 64, max: 100 }), randomCrop(48), horizontalFlip(0.5)];
    const pca = pcaLighting({ eigenStd: [50, 5, 1], eigenvectors: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const mean = subtractMean({ perChannel: [120, 110, 100] });
    for (let seed = 0; seed < 4; seed++) {
      const fused = await compose(...geo(), pca, mean).apply(bytes, createRng(seed));
      // unfused: geometry alone, then the float steps' own apply() with the rng continued
      const rng = createRng(seed);
      const ref = await compose(...geo()).apply(bytes, rng);
      pca.apply(ref, rng);
      mean.apply(ref, rng);
      expect(Array.from(fused.data)).toEqual(Array.from(ref.data));
    }
  });

  it('one pipeline crop + flip equals decode → crop → mirror done step by step (exact)', async () => {
    const bytes = await photo(64, 40);
    const full = await decodeImageBytes(bytes);
    for (const [steps, left, top, flip] of [
      [[centerCrop(20), horizontalFlip(1)], 22, 10, true],
      [[horizontalFlip(1), centerCrop([20, 30])], 17, 10, true],
      [[randomCrop(16)], -1, -1, false],
    ] as const) {
      const p = compose(...steps);
      const plan = p.plan(64, 40, createRng(5));
      const [l, t, w, h] = plan.preCrop as number[];
      if (left >= 0)
        expect([l, t]).toEqual([
          flip && steps[0].name.startsWith('horizontal') ? 64 - left - w : left,
          top,
        ]);
      const out = await p.apply(bytes, createRng(5));
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let k = 0; k < 3; k++) {
            const sx = plan.flip ? l + w - 1 - x : l + x;
            expect(out.data[(y * w + x) * 3 + k]).toBe(full.data[((t + y) * 64 + sx) * 3 + k]);
          }
    }
  });

  it('tenCrop yields 10 crops in torchvision order (exact geometry on a decoded image)', async () => {
    const bytes = await photo(50, 40);
    const full = await decodeImageBytes(bytes);
    const crops = await compose(tenCrop(20)).applyAll(bytes, createRng(0));
    const at = (img: (typeof crops)[0], x: number, y: number) => img.data[(y * 20 + x) * 3];
    const src = (x: number, y: number) => full.data[(y * 50 + x) * 3];
    const corners = [
      [0, 0],
      [30, 0],
      [0, 20],
      [30, 20],
      [15, 10],
    ];
    corners.forEach(([l, t], k) => {
      expect(at(crops[k], 0, 0)).toBe(src(l, t));
      // flipped five: crop k+5 is five_crop(hflip(img))[k]; its (0,0) is original (W-1-l, t)
      expect(at(crops[k + 5], 0, 0)).toBe(src(50 - 1 - l, t));
      expect(at(crops[k + 5], 19, 5)).toBe(src(50 - 20 - l, t + 5));
    });
    await expect(
      compose(resizeShorter(30), tenCrop(20)).apply(bytes, createRng(0)),
    ).rejects.toThrow(/applyAll/);
  });

  it('typed argument errors that echo the value', () => {
    expect(() => randomCrop(0)).toThrow(AugmentationArgumentError);
    expect(() => scaleJitter({ min: 300, max: 200 })).toThrow(/min=300, max=200/);
    expect(() => horizontalFlip(2)).toThrow(/p=2/);
    expect(() => compose(subtractMean({ perChannel: [1, 2, 3] }), centerCrop(3))).toThrow(
      /float transform/,
    );
    expect(() => compose(resizeShorter(10), resizeShorter(20)).plan(50, 50, createRng(0))).toThrow(
      /resize once/,
    );
    expect(() => compose(centerCrop(100)).plan(50, 50, createRng(0))).toThrow(
      /larger than the image 50x50/,
    );
  });
});

describe('float transforms', () => {
  const img = () => ({
    data: Float32Array.from({ length: 12 }, (_, i) => i * 10),
    height: 2,
    width: 2,
    channels: 3,
  });

  it('pcaLighting adds V·(α∘σ) to every pixel, α ~ N(0, 0.1²) (closed form)', () => {
    // A rotation as eigenvectors (columns orthonormal), standard deviations along them (σ = √λ).
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const V = [c, -s, 0, s, c, 0, 0, 0, 1];
    const l = [0.2175 * 255, 0.0188 * 255, 0.0045 * 255];
    const t = pcaLighting({ eigenStd: l, eigenvectors: V, std: 0.1 });
    const x = img();
    t.apply(x, createRng(9));
    const r = createRng(9);
    const alpha = [r.normal() * 0.1, r.normal() * 0.1, r.normal() * 0.1];
    const d = [0, 1, 2].map(
      (row) =>
        V[row * 3] * alpha[0] * l[0] +
        V[row * 3 + 1] * alpha[1] * l[1] +
        V[row * 3 + 2] * alpha[2] * l[2],
    );
    expect(pcaShift(l, V, alpha).map((v) => v.toFixed(5))).toEqual(d.map((v) => v.toFixed(5)));
    for (let i = 0; i < 12; i++) expect(x.data[i]).toBeCloseTo(i * 10 + d[i % 3], 4);
    // Statistics of the shift over many draws: Cov(Δ) = V diag(σ² · 0.1²) Vᵀ.
    const n = 20000;
    const acc = [0, 0, 0, 0];
    for (let k = 0; k < n; k++) {
      const y = { data: new Float32Array(3), height: 1, width: 1, channels: 3 };
      t.apply(y, createRng(1, k));
      acc[0] += y.data[0] ** 2;
      acc[1] += y.data[0] * y.data[1];
      acc[2] += y.data[2] ** 2;
      acc[3] += y.data[0];
    }
    const lv = l.map((v) => (v * 0.1) ** 2);
    expect(acc[0] / n).toBeCloseTo(c * c * lv[0] + s * s * lv[1], -0.5);
    expect(Math.abs(acc[0] / n - (c * c * lv[0] + s * s * lv[1])) / (c * c * lv[0])).toBeLessThan(
      0.05,
    );
    expect(Math.abs(acc[1] / n - c * s * (lv[0] - lv[1])) / (c * s * lv[0])).toBeLessThan(0.08);
    expect(Math.abs(acc[2] / n - lv[2]) / lv[2]).toBeLessThan(0.05);
    expect(Math.abs(acc[3] / n)).toBeLessThan(0.05 * Math.sqrt(lv[0]));
  });

  it('subtractMean (image and per channel) and normalize', () => {
    const a = img();
    subtractMean(Float32Array.from({ length: 12 }, (_, i) => i)).apply(a, createRng(0));
    expect(Array.from(a.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 9));
    const b = img();
    subtractMean({ perChannel: [1, 2, 3] }).apply(b, createRng(0));
    expect(Array.from(b.data.subarray(0, 3))).toEqual([-1, 8, 17]);
    const c = img();
    normalize({ scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }).apply(
      c,
      createRng(0),
    );
    expect(c.data[4]).toBeCloseTo((40 / 255 - 0.456) / 0.224, 5);
    expect(() => subtractMean(new Float32Array(5)).apply(img(), createRng(0))).toThrow(/crop size/);
    expect(() => pcaLighting({ eigenStd: [1, 2], eigenvectors: [] })).toThrow(
      AugmentationArgumentError,
    );
  });
});

describe('pcaLighting on real statistics: units agree by name', () => {
  /**
   * The bundled Fashion-MNIST subset as the app feeds it: grey pixels decoded to three equal RGB
   * channels in 0..255. Its colour covariance then has rank one: p₁ = (1, 1, 1)/√3 and
   * λ₁ = 3·Var(pixel) (`rectifier stats` measures λ₁ = 23,779 at its 112-pixel crops).
   */
  async function bundledStats() {
    const ds = loadFashionMnistSubset('train');
    const per = ds.height * ds.width;
    return computeDatasetStats({
      size: ds.count,
      load: async (i) => {
        const data = new Uint8Array(per * 3);
        for (let p = 0; p < per; p++) data.fill(ds.images[i * per + p], p * 3, p * 3 + 3);
        return { data, height: ds.height, width: ds.width, channels: 3 };
      },
    });
  }

  it('one σ of α along the first axis moves a pixel by 0.1·√λ₁ levels: a few, not thousands', async () => {
    const stats = await bundledStats();
    const [l1] = stats.eigenvalues;
    // The eigenvalue is a variance in levels² (Fashion-MNIST's grey spread is ~90 levels).
    expect(l1).toBeGreaterThan(15_000);
    expect(l1).toBeLessThan(35_000);
    expect(stats.eigenStd).toEqual(stats.eigenvalues.map((l) => Math.sqrt(Math.max(0, l))));
    const { eigenvectors, eigenStd } = stats;
    // Closed form: Δ = σ₁·α₁·p₁ for α = (0.1, 0, 0), so |Δ| = 0.1·σ₁ = 0.1·√λ₁.
    const delta = pcaShift(eigenStd, eigenvectors, [0.1, 0, 0]);
    const norm = Math.hypot(...delta);
    expect(norm).toBeCloseTo(0.1 * Math.sqrt(l1), 9);
    for (const d of delta) expect(Math.abs(d)).toBeCloseTo((0.1 * Math.sqrt(l1)) / Math.sqrt(3), 6);
    // "A few levels": at most 10% of the 0..255 range (25.5 levels) and at least one level —
    // 0.1·√λ₁ ≈ 15.5 here. The variance in its place would move it by 0.1·λ₁ ≈ 2,400.
    expect(norm).toBeGreaterThanOrEqual(1);
    expect(norm).toBeLessThanOrEqual(25.5);
    expect(0.1 * l1).toBeGreaterThan(1000);

    // The transform itself, over seeded draws: E|Δ|² = 0.1²·Σσ² = 0.01·Σλ (the trace).
    const t = pcaLighting({ eigenvectors, eigenStd, std: 0.1 });
    const n = 20_000;
    let sq = 0;
    for (let k = 0; k < n; k++) {
      const y = { data: new Float32Array(3), height: 1, width: 1, channels: 3 };
      t.apply(y, createRng(2, k));
      sq += y.data[0] ** 2 + y.data[1] ** 2 + y.data[2] ** 2;
    }
    const trace = stats.eigenvalues.reduce((a, b) => a + b, 0);
    // |Δ|²/(0.01·λ₁) is χ²₁ here (rank one): relative sd of its mean over n draws is √(2/n) = 1%.
    expect(Math.abs(sq / n / (0.01 * trace) - 1)).toBeLessThan(0.05);
  });

  it('the eigenvalues (variances) cannot be passed by mistake', async () => {
    const stats = await bundledStats();
    const wrong = { eigenvectors: stats.eigenvectors, eigenvalues: stats.eigenvalues };
    expect(() => pcaLighting(wrong as never)).toThrow(AugmentationArgumentError);
    expect(() => pcaLighting(wrong as never)).toThrow(
      /takes `eigenStd` \(standard deviations σ = √λ.*not `eigenvalues` \(variances/,
    );
    expect(() => pcaLighting({ eigenvectors: stats.eigenvectors, eigenStd: [-1, 0, 0] })).toThrow(
      /3 standard deviations >= 0/,
    );
  });
});
