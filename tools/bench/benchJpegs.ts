/**
 * The augmentation benchmarks' JPEGs and pipeline. The JPEGs are made at bench time from scikit-image's real photographs
 * (python3-skimage), cropped/resized to varied ImageNet-like sizes (short side 333..375, long
 * side 450..500, a quarter portrait), q90, written to `dir`; nothing is committed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  compose,
  horizontalFlip,
  type Pipeline,
  pcaLighting,
  randomCrop,
  scaleJitter,
} from '@rectifier/augmentation';
import { createRng } from '@rectifier/data';
import sharp from 'sharp';

/**
 * The benchmarks' training pipeline (the paper's Sec. 4.1 augmentation): scale jitter
 * [256, 512], random 224 crop, flip, PCA colour with fb.resnet.torch's ImageNet eigenvectors
 * (pixels in [0, 1] there, scaled to 0..255).
 */
export function benchPipeline(): Pipeline {
  return compose(
    scaleJitter({ min: 256, max: 512 }),
    randomCrop(224),
    horizontalFlip(0.5),
    pcaLighting({
      eigenStd: [0.2175 * 255, 0.0188 * 255, 0.0045 * 255],
      eigenvectors: [-0.5675, 0.7192, 0.4009, -0.5808, -0.0045, -0.814, -0.5836, -0.6948, 0.4203],
      std: 0.1,
    }),
  );
}

export async function makeBenchJpegs(dir: string, N: number): Promise<string[]> {
  const skimage = execFileSync('/usr/bin/python3', [
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
