/**
 * Benchmark: decode + scale jitter [256, 512] + random 224 crop + flip + PCA colour on a few
 * hundred real ~500×375 JPEGs, @rectifier/augmentation (sharp/libvips) vs torchvision + PIL in
 * the same run, one worker each and all cores each.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/augmentation.ts [--images 300]
 *     [--inflight 2×cores] [--vips-threads 1]
 *
 * The JPEGs are made at bench time from scikit-image's real photographs (python3-skimage),
 * cropped/resized to varied ImageNet-like sizes (short side 333..375, long side 450..500) and
 * written to a temp dir; nothing is committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compose,
  horizontalFlip,
  pcaLighting,
  randomCrop,
  scaleJitter,
} from '@rectifier/augmentation';
import { createRng } from '@rectifier/data';
import sharp from 'sharp';

const PY = '/usr/bin/python3';
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('images', 300);
const CORES = cpus().length;

async function makeJpegs(dir: string): Promise<string[]> {
  const skimage = execFileSync(PY, [
    '-c',
    'import skimage, os; print(os.path.dirname(skimage.__file__))',
  ])
    .toString()
    .trim();
  const data = join(skimage, 'data');
  const sources = [
    'astronaut.png',
    'chelsea.png',
    'coffee.png',
    'motorcycle_left.png',
    'hubble_deep_field.jpg',
    'rocket.jpg',
    'immunohistochemistry.png',
    'ihc.png',
    'brick.png',
    'grass.png',
    'gravel.png',
  ]
    .filter((f) => readdirSync(data).includes(f))
    .map((f) => join(data, f));
  const rng = createRng(2015);
  const files: string[] = [];
  for (let i = 0; i < N; i++) {
    const src = sharp(sources[i % sources.length]).removeAlpha();
    const m = await sharp(sources[i % sources.length]).metadata();
    const portrait = rng.next() < 0.25;
    const long = rng.int(450, 500);
    const short = rng.int(333, 375);
    const [w, h] = portrait ? [short, long] : [long, short];
    // a random window of the source with the target aspect, then resize to w×h
    const scale =
      Math.min((m.width as number) / w, (m.height as number) / h) * (0.6 + 0.4 * rng.next());
    const cw = Math.max(1, Math.floor(w * scale));
    const ch = Math.max(1, Math.floor(h * scale));
    const left = rng.int(0, (m.width as number) - cw);
    const top = rng.int(0, (m.height as number) - ch);
    const path = join(dir, `img_${String(i).padStart(4, '0')}.jpg`);
    await src
      .extract({ left, top, width: cw, height: ch })
      .resize(w, h)
      .jpeg({ quality: 90 })
      .toFile(path);
    files.push(path);
  }
  return files;
}

// fb.resnet.torch's ImageNet PCA (pixels in [0, 1]) scaled to 0..255 pixels.
const pca = pcaLighting({
  eigenvalues: [0.2175 * 255, 0.0188 * 255, 0.0045 * 255],
  eigenvectors: [-0.5675, 0.7192, 0.4009, -0.5808, -0.0045, -0.814, -0.5836, -0.6948, 0.4203],
  std: 0.1,
});
const pipeline = compose(
  scaleJitter({ min: 256, max: 512 }),
  randomCrop(224),
  horizontalFlip(0.5),
  pca,
);

async function ours(files: string[], inFlight: number): Promise<number> {
  const bytes = files.map((f) => readFileSync(f)); // both sides read from the page cache; count decode work
  for (let i = 0; i < 10; i++) await pipeline.apply(bytes[i], createRng(0, i));
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      await pipeline.apply(readFileSync(files[i]), createRng(1, i), files[i]);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (performance.now() - t0) / 1000;
}

function torchvision(dir: string, workers: number): number {
  const out = execFileSync(
    PY,
    [join(import.meta.dirname, 'augmentation_torchvision.py'), dir, String(workers)],
    {
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    },
  );
  return JSON.parse(out.toString()).seconds;
}

const dir = mkdtempSync(join(tmpdir(), 'rectifier-bench-aug-'));
try {
  const files = await makeJpegs(dir);
  console.log(
    `${files.length} JPEGs (~500x375, q90) in ${dir}; ${CORES} cores (shared machine: timings are noisy)`,
  );
  const rows: [string, number, number][] = [];
  // one worker: libvips single-threaded, one image at a time
  sharp.concurrency(1);
  const o1 = await ours(files, 1);
  const t1 = torchvision(dir, 1);
  rows.push(['1 worker', files.length / o1, files.length / t1]);
  // all cores: several images in flight on libuv's pool (4 threads by default), each decoded by
  // one libvips thread (--vips-threads 1, measured better than libvips threading per image)
  sharp.concurrency(arg('vips-threads', 1));
  const oN = await ours(files, arg('inflight', CORES * 2));
  const tN = torchvision(dir, CORES);
  rows.push([`${CORES} workers`, files.length / oN, files.length / tN]);
  console.log('setting      | ours img/s | torchvision+PIL img/s | ratio');
  for (const [name, a, b] of rows) {
    console.log(
      `${name.padEnd(12)} | ${a.toFixed(1).padStart(10)} | ${b.toFixed(1).padStart(21)} | ${(a / b).toFixed(2)}x`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
