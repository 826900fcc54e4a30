import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, ImageDecodeError, rgbPipeline } from '@rectifier/data';
import { needsSystemPackage } from '@rectifier/test-utils';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compose } from './compose';
import { loadJpegAddon } from './jpegAddon';
import { decodeJpegRegion } from './jpegRegion';
import { randomCrop, resizeShorter } from './transforms';
import { startWorker } from './workerPool';

const PHOTOS = join(import.meta.dirname, 'fixtures', 'photos');
const photo = (f: string) => readFileSync(join(PHOTOS, f));
const addon = loadJpegAddon();
const addonTests = needsSystemPackage({
  tests: 'libjpeg-turbo region decoder tests',
  available: !(addon instanceof Error),
  reason: addon instanceof Error ? addon.message.split(':')[0] : undefined,
  install: 'apt-get install libjpeg62-turbo-dev, then npm install',
  requireEnv: 'RECTIFIER_REQUIRE_JPEG',
});

type Region = { left: number; top: number; width: number; height: number };

/** What the pipelines decoded before the addon: sharp's decode, then libvips' extract. */
async function viaSharp(bytes: Buffer, r: Region): Promise<Buffer> {
  return rgbPipeline(bytes).extract(r).raw().toBuffer();
}

/** The real photographs re-encoded the ways JPEGs come: chroma layouts, progressive, grey, odd sizes. */
async function encodings(): Promise<{ name: string; bytes: Buffer }[]> {
  const out: { name: string; bytes: Buffer }[] = [
    { name: 'chelsea_q90', bytes: photo('chelsea_q90.jpg') },
  ];
  for (const f of ['astronaut.png', 'coffee.png', 'motorcycle_left.png']) {
    // 97×97, 150×100, 141×99 as stored; enlarged to 333×251 for several iMCUs in each direction
    for (const size of [undefined, [333, 251] as const]) {
      const src = () => {
        const s = sharp(photo(f)).removeAlpha();
        return size ? s.resize(size[0], size[1], { fit: 'fill' }) : s;
      };
      const tag = `${f}${size ? ` ${size.join('×')}` : ''}`;
      out.push(
        { name: `${tag} 4:2:0`, bytes: await src().jpeg({ quality: 90 }).toBuffer() },
        {
          name: `${tag} 4:4:4`,
          bytes: await src().jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer(),
        },
        {
          name: `${tag} progressive`,
          bytes: await src().jpeg({ quality: 85, progressive: true }).toBuffer(),
        },
        { name: `${tag} grey`, bytes: await src().greyscale().jpeg({ quality: 90 }).toBuffer() },
      );
    }
  }
  return out;
}

/** Crops touching each edge and corner, single pixels, the whole image, and random ones. */
function regions(w: number, h: number, seed: number): Region[] {
  const rng = createRng(seed);
  const out: Region[] = [
    { left: 0, top: 0, width: w, height: h },
    { left: 0, top: 0, width: 1, height: 1 },
    { left: w - 1, top: h - 1, width: 1, height: 1 },
    { left: 0, top: 3, width: 17, height: h - 3 },
    { left: w - 19, top: 0, width: 19, height: 23 },
    { left: 5, top: h - 9, width: w - 5, height: 9 },
    { left: 0, top: 1, width: w, height: h - 2 },
  ];
  for (let i = 0; i < 12; i++) {
    const width = rng.int(1, w);
    const height = rng.int(1, h);
    out.push({ left: rng.int(0, w - width), top: rng.int(0, h - height), width, height });
  }
  return out;
}

describe.runIf(addonTests)('decodeJpegRegion (libjpeg-turbo addon)', () => {
  it('gives sharp’s decode + extract bit for bit on real photographs, every layout and edge', async () => {
    for (const [i, { name, bytes }] of (await encodings()).entries()) {
      const { width, height } = await sharp(bytes).metadata();
      for (const r of regions(width as number, height as number, i)) {
        const got = decodeJpegRegion(bytes, r);
        expect(got, `${name} ${JSON.stringify(r)} took the fast path`).toBeDefined();
        const want = await viaSharp(bytes, r);
        expect(got?.channels).toBe(3);
        // Buffer.compare, not toEqual: a failure should say where, not print 100k numbers.
        const same = Buffer.compare(Buffer.from(got?.data ?? []), want) === 0;
        expect(same, `${name} ${JSON.stringify(r)}`).toBe(true);
      }
    }
  });

  it('decodes into a caller’s buffer the same pixels, and refuses one of the wrong size', async () => {
    const bytes = photo('chelsea_q90.jpg');
    const into = new Uint8Array(40 * 30 * 3).fill(7);
    for (const r of [
      { left: 3, top: 5, width: 40, height: 30 },
      { left: 100, top: 60, width: 30, height: 40 }, // same size, another place: reused
    ]) {
      const got = decodeJpegRegion(bytes, r, into);
      expect(got?.data).toBe(into);
      expect(Buffer.compare(Buffer.from(into), await viaSharp(bytes, r))).toBe(0);
    }
    expect(() => decodeJpegRegion(bytes, { left: 0, top: 0, width: 40, height: 31 }, into)).toThrow(
      /`into` must hold width·height·3 = 3720 bytes. Received: 3600/,
    );
  });

  it('loads in the worker pool’s threads too (started from TypeScript sources, as here)', async () => {
    const entry = new URL('./testing/jpegAddonProbe.ts', import.meta.url);
    const worker = startWorker(entry, 'ts', import.meta.url);
    try {
      const said = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(said).toBe('loaded');
    } finally {
      await worker.terminate();
    }
  });

  it('leaves EXIF orientation alone, as sharp does here', async () => {
    const bytes = await sharp(photo('coffee.png'))
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const r = { left: 10, top: 20, width: 90, height: 50 };
    const got = decodeJpegRegion(bytes, r);
    expect(Buffer.compare(Buffer.from(got?.data ?? []), await viaSharp(bytes, r))).toBe(0);
  });

  it('hands sharp what it does not decode the same way: PNG, CMYK, truncated, a stray marker', async () => {
    const jpeg = photo('chelsea_q90.jpg');
    const r = { left: 0, top: 0, width: 8, height: 8 };
    const cmyk = await sharp(photo('coffee.png')).toColourspace('cmyk').jpeg().toBuffer();
    const marker = Buffer.from(jpeg);
    marker.set([0xff, 0xd3], 800); // a restart marker where none belongs: libjpeg warns
    // sharp decodes the truncated file's first rows and fails on the whole; we defer to it.
    for (const bytes of [photo('coffee.png'), cmyk, jpeg.subarray(0, 2000), marker]) {
      expect(decodeJpegRegion(bytes, r)).toBeUndefined();
    }
    // An out-of-range region is libjpeg's complaint too, never a crash.
    expect(decodeJpegRegion(jpeg, { left: 150, top: 0, width: 2, height: 1 })).toBeUndefined();
  });

  it('on garbled data that libjpeg decodes silently, gives what sharp gives', async () => {
    const garbled = Buffer.from(photo('chelsea_q90.jpg'));
    garbled.fill(0x55, 700, 900); // entropy-coded bytes overwritten, markers intact
    for (const r of regions(151, 100, 7)) {
      const fast = decodeJpegRegion(garbled, r);
      const want = await viaSharp(garbled, r).catch(() => undefined);
      if (fast) expect(want && Buffer.compare(Buffer.from(fast.data), want)).toBe(0);
    }
  });
});

describe('the pipelines with and without the addon (RECTIFIER_JPEG=0)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  // Enlargements (the decoded window path) and reductions, grey and colour, with flips and PCA,
  // built from whichever module graph is current (vi.resetModules gives a fresh one).
  async function pipeline() {
    const { compose } = await import('./compose');
    const t = await import('./transforms');
    const { pcaLighting } = await import('./floatTransforms');
    return compose(
      t.scaleJitter({ min: 120, max: 400 }),
      t.randomCrop(64),
      t.horizontalFlip(0.5),
      pcaLighting({ eigenStd: [50, 5, 1], eigenvectors: [1, 0, 0, 0, 1, 0, 0, 0, 1] }),
    );
  }

  it('give the same pixels, and the same ImageDecodeError on broken files', async () => {
    const inputs = (await encodings()).map((e) => e.bytes);
    const fast = await pipeline();
    const want = await Promise.all(inputs.map((b, i) => fast.apply(b, createRng(3, 0, i))));

    vi.stubEnv('RECTIFIER_JPEG', '0');
    vi.resetModules();
    const off = (await import('./jpegAddon')).loadJpegAddon();
    expect(off).toBeInstanceOf(Error);
    expect((off as Error).message).toMatch(/RECTIFIER_JPEG=0/);
    const slow = await pipeline();
    const got = await Promise.all(inputs.map((b, i) => slow.apply(b, createRng(3, 0, i))));
    got.forEach((g, i) => {
      expect(g.data.length).toBe(want[i].data.length);
      expect(Buffer.compare(Buffer.from(g.data.buffer), Buffer.from(want[i].data.buffer))).toBe(0);
    });

    const broken = photo('chelsea_q90.jpg').subarray(0, 2000);
    for (const p of [fast, slow]) {
      // name, not instanceof: after vi.resetModules the slow path throws @rectifier/data's
      // class from a fresh module graph
      await expect(p.apply(broken, createRng(0), '/x/broken.JPEG')).rejects.toSatisfy(
        (e: Error) => e.name === ImageDecodeError.name && /broken\.JPEG/.test(e.message),
      );
    }
  });

  it('a pipeline enlarging a JPEG decodes it through the addon when present', async () => {
    if (addon instanceof Error) return;
    const spy = vi.spyOn(addon, 'decodeRegion');
    await compose(resizeShorter(300), randomCrop(32)).apply(photo('chelsea_q90.jpg'), createRng(1));
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });
});
