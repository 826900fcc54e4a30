/**
 * Testing protocols of @rectifier/evaluation on wasm (one thread): images/s of center, tenView,
 * dense at three scales and multiScale for the CPU-scale small net and model A (1/8 width), each
 * relative to center in the same run; then, for one dense image, the two one-pass heads
 * (gathered, dilated) vs the batched per-window head vs cropping every window from the image and
 * running the whole model.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/evaluation.ts [--images 8] [--repeats 3]
 *
 * CPU scale halves the paper's sizes: crops 112 (paper 224), resize 128 (256), dense scales
 * 128 / 192 / 240 (256 / 384 / 480). Images are random 200×150 PNGs (ImageNet's typical 4:3).
 */
import { buildModel, cpuScaleVariants } from '@rectifier/architectures';
import { compose, resizeShorter } from '@rectifier/augmentation';
import { selectBackend } from '@rectifier/backend';
import { createRng } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import {
  center,
  dense,
  denseWindowScores,
  featureMapSide,
  multiScale,
  type Scorer,
  tenView,
  trunkStride,
} from '../../packages/evaluation/src/index';
import { fmt, ratio, table } from './timing';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const count = option('--images', 8);
const repeats = option('--repeats', 3);

const crop = 112;
const resize = 128;
const scales = [128, 192, 240];

function randomPng(seed: number): Promise<Buffer> {
  const [width, height] = [200, 150];
  const data = Buffer.alloc(width * height * 3);
  let s = seed + 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    data[i] = s >>> 23;
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** CPU milliseconds of this process since `start` (a `process.cpuUsage()` reading). */
const cpuSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

/** Median CPU ms of `fn` after one warm-up run; every result is read back and freed. */
function cpuMs(fn: () => tf.Tensor): number {
  const run = () => {
    const start = process.cpuUsage();
    const out = fn();
    out.dataSync();
    out.dispose();
    return cpuSince(start);
  };
  run();
  const times = Array.from({ length: repeats }, run).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Median images per CPU second of `scorer` over `images` (after one warm-up pass). */
async function imagesPerSecond(scorer: Scorer, images: Buffer[]): Promise<number> {
  await scorer.score(images.slice(0, 1));
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.cpuUsage();
    await scorer.score(images);
    times.push(cpuSince(start));
  }
  times.sort((a, b) => a - b);
  return images.length / (times[Math.floor(times.length / 2)] / 1000);
}

async function main() {
  const backend = await selectBackend({ prefer: 'wasm' });
  console.log(
    `backend ${backend.name} (${backend.threads} thread), ${count} images, median of ${repeats}`,
  );
  const images = await Promise.all(Array.from({ length: count }, (_, i) => randomPng(i)));
  const variants = { small: cpuScaleVariants.small, A: cpuScaleVariants.A };

  const protocolRows: string[][] = [];
  const headRows: string[][] = [];
  for (const [name, variant] of Object.entries(variants)) {
    const built = buildModel(variant.model, { ...variant.options, seed: 1 });
    const scorers = [
      center(built, { resize, crop }),
      tenView(built, { resize, crop }),
      ...scales.map((scale) => dense(built, { scale, crop })),
      multiScale(built, { scales, crop }),
    ];
    let base = 0;
    for (const scorer of scorers) {
      const rate = await imagesPerSecond(scorer, images);
      if (scorer.protocol === 'center') base = rate;
      protocolRows.push([name, scorer.label, rate.toFixed(1), ratio(base, rate)]);
    }

    // One image at scale 192 (the paper's 384): the trunk's map, then three ways to score its windows.
    const window = featureMapSide(built.spec, crop);
    const img = await compose(resizeShorter(192)).apply(images[0], createRng(0));
    const x = tf.tensor4d(img.data as Float32Array, [1, img.height, img.width, 3]);
    const map = built.trunk.predict(x) as tf.Tensor4D;
    const [, mh, mw] = map.shape;
    const windows = (mh - window + 1) * (mw - window + 1);
    const trunk = cpuMs(() => built.trunk.predict(x) as tf.Tensor);
    const onePass = cpuMs(() => denseWindowScores(built, map, { window }));
    const dilated = cpuMs(() => denseWindowScores(built, map, { window, form: 'dilated' }));
    const batched = cpuMs(() => denseWindowScores(built, map, { window, form: 'batched' }));
    // Per-window crops: each window's input region (stride = the trunk's), the whole model on each.
    const stride = trunkStride(built.spec);
    const crops = () =>
      tf.tidy(() => {
        const parts: tf.Tensor4D[] = [];
        for (let y = 0; y <= mh - window; y++) {
          for (let xx = 0; xx <= mw - window; xx++) {
            const top = Math.min(y * stride, img.height - crop);
            const left = Math.min(xx * stride, img.width - crop);
            parts.push(x.slice([0, top, left, 0], [1, crop, crop, 3]));
          }
        }
        const scores: tf.Tensor[] = [];
        for (let i = 0; i < parts.length; i += 16) {
          scores.push(built.model.predict(tf.concat(parts.slice(i, i + 16), 0)) as tf.Tensor);
        }
        return tf.concat(scores, 0);
      });
    const perCrop = cpuMs(crops);
    headRows.push([
      name,
      `${mh}×${mw} map, ${window}×${window} window, ${windows} windows`,
      fmt(trunk),
      fmt(onePass),
      fmt(dilated),
      fmt(batched),
      fmt(perCrop),
      ratio(trunk + batched, trunk + onePass),
      ratio(perCrop, trunk + onePass),
    ]);
    tf.dispose([x, map]);
    built.model.dispose();
  }
  console.log('\nProtocols (images per CPU second; cost = center’s rate ÷ this protocol’s):');
  table(['model', 'protocol', 'images/s', 'cost vs center'], protocolRows);
  console.log('\nDense scoring of one image at scale 192 (CPU ms):');
  table(
    [
      'model',
      'dense geometry',
      'trunk',
      'gathered head',
      'dilated head',
      'batched head',
      'per-window crops (whole model)',
      'batched ÷ gathered (with trunk)',
      'crops ÷ gathered (with trunk)',
    ],
    headRows,
  );
}

main();
