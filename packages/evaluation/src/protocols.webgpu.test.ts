import { listWebGpuAdapters, selectBackend } from '@rectifier/backend';
import { expectAllClose, onBackend, webGpuTests } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { center, dense, type Scorer, tenView } from './protocols';
import { preprocess, randomPng, tinyModel } from './testing/tinyModel';

// The test protocols on @rectifier/backend's webgpu engine against tfjs's cpu backend: the
// scores are read with data() (webgpu in Node has no synchronous read), and dense runs the
// head convolutionally over a map larger than the training window.
const run = webGpuTests('evaluation webgpu tests', await listWebGpuAdapters());

const crop = 112;
// Same float32 argument as denseHead.test.ts: different summation orders of the same products.
const tol = { rtol: 1e-4, atol: 2e-5 };

/** Each protocol's scores of `photo` on the active backend, from a model built there (seeded). */
async function scores(photo: Buffer, protocols: ((m: ReturnType<typeof tinyModel>) => Scorer)[]) {
  const built = tinyModel('small');
  const before = tf.memory().numTensors;
  const out: Float32Array[] = [];
  for (const p of protocols) out.push(...(await p(built).score([photo])));
  const leaked = tf.memory().numTensors - before;
  built.model.dispose();
  return { out, leaked };
}

describe.runIf(run)('test protocols on webgpu', () => {
  let photo: Buffer;
  beforeAll(async () => {
    await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
    await selectBackend({ prefer: 'cpu' });
    photo = await randomPng(150, 128, 1); // not square: the ten crops all differ
  });

  it('center, tenView and dense (scale 140, flip): the cpu scores, no tensor leak', async () => {
    const protocols = [
      (m: ReturnType<typeof tinyModel>) => center(m, { resize: 128, crop, preprocess }),
      (m: ReturnType<typeof tinyModel>) => tenView(m, { resize: 128, crop, preprocess }),
      (m: ReturnType<typeof tinyModel>) => dense(m, { scale: 140, crop, preprocess }),
    ];
    const gpu = await onBackend('webgpu', () => scores(photo, protocols));
    const cpu = await onBackend('cpu', () => scores(photo, protocols));
    expect(gpu.out).toHaveLength(3);
    gpu.out.forEach((s, i) => {
      expectAllClose(s, cpu.out[i], tol);
    });
    // The views differ enough that a protocol mixing them up could not pass.
    expect(Math.max(...gpu.out[0].map((v, c) => Math.abs(v - gpu.out[2][c])))).toBeGreaterThan(
      1e-3,
    );
    expect(gpu.leaked).toBe(0);
  });
});
