import { existsSync } from 'node:fs';
import { selectBackend } from '@rectifier/backend';
import { needsSystemPackage } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TrainerArgumentError } from '../errors';
import { train } from '../run';
import { tempRunDirs } from '../testing/tempRunDirs';
import { tinyLoader, type tinyNet } from '../testing/tinyNet';
import { parallelRunOptions } from '../testing/tinyRun';
import type { TrainOptions } from '../trainOptions';

const { dir } = tempRunDirs('rectifier-parallel-');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 40 examples in batches of 8: 5 steps; dropout 0.5 and PReLU in the net. */
function setup(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return { runDir: dir(), ...parallelRunOptions(overrides) };
}

function weightsOf(options: TrainOptions): Float32Array[] {
  const m = (options.model as ReturnType<typeof tinyNet>).model;
  return m.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) d = Math.max(d, Math.abs(x[j] - b[i][j]));
  });
  return d;
}

describe('local engine: the same weights as one process', () => {
  let reference: Float32Array[];
  let initial: Float32Array[];
  beforeAll(async () => {
    const one = setup();
    initial = weightsOf(one);
    await train(one);
    reference = weightsOf(one);
  });

  // Tolerance: the trunk gradients are summed in another order (shard by shard), ~1e-7 relative
  // per step on values of order 1, amplified at most a few times by 5 SGD steps at lr 0.05.
  test.each([
    ['hybrid', 2],
    ['hybrid', 3],
    ['data', 2],
    ['data', 3],
  ] as const)('%s with %i workers, 5 steps, dropout and PReLU', async (parallel, devices) => {
    const options = setup({ devices, parallel });
    const summary = await train(options);
    expect(summary.steps).toBe(5);
    const got = weightsOf(options);
    // The run really trained (else equal weights would prove nothing) …
    expect(maxAbsDiff(got, initial)).toBeGreaterThan(1e-2);
    // … and ended where one process ends.
    expect(maxAbsDiff(got, reference)).toBeLessThanOrEqual(1e-5);
  });
});

describe('workerImports', () => {
  test('a package the workers cannot import is an argument error before any file is written', async () => {
    const options = setup({ devices: 2, workerImports: ['@rectifier/architecture'] });
    await expect(train(options)).rejects.toThrow(TrainerArgumentError);
    await expect(train(options)).rejects.toThrow(
      /`workerImports` names the package "@rectifier\/architecture", which the workers cannot import .*did you mean `@rectifier\/architectures`\?/,
    );
    expect(existsSync(options.runDir)).toBe(false);
  });
});

// The oneDNN engine runs under tfjs's `wasm`: workers must select it by rank 0's `backendName`.
const oneDnnEngine = needsSystemPackage({
  tests: 'multi-device training on the oneDNN engine',
  available: await selectBackend({ prefer: 'onednn', threads: 1 }).then(
    () => true,
    () => false,
  ),
  install: 'apt-get install libdnnl-dev, then npm install',
  requireEnv: 'RECTIFIER_REQUIRE_ONEDNN',
});
await tf.setBackend('cpu');

describe("workers run rank 0's engine", () => {
  afterAll(async () => {
    delete process.env.RECTIFIER_ONEDNN;
    await tf.setBackend('cpu');
  });

  test('a worker that cannot start the engine rank 0 names fails the run, naming it', async () => {
    // Rank 0 has loaded its engine (or runs cpu); the workers inherit an environment without it.
    process.env.RECTIFIER_ONEDNN = '0';
    try {
      const options = setup({ devices: 2, backendName: 'onednn' });
      await expect(train(options)).rejects.toThrow(/onednn/);
    } finally {
      delete process.env.RECTIFIER_ONEDNN;
    }
  });

  test.runIf(oneDnnEngine)('hybrid on the oneDNN engine: workers select it too', async () => {
    await selectBackend({ prefer: 'onednn', threads: 1 });
    const options = setup({ devices: 2, parallel: 'hybrid', backendName: 'onednn' });
    const initial = weightsOf(options);
    const summary = await train(options);
    expect(summary.backend).toBe('onednn');
    expect(summary.steps).toBe(5);
    expect(maxAbsDiff(weightsOf(options), initial)).toBeGreaterThan(1e-2);
  });
});

describe('uneven last batch: shards with no image train like one process', () => {
  // On wasm, where a kernel asked to run on zero images failed (XNNPACK setup, divide by zero).
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  // 17 images in batches of 16: the last batch has 1 image, so every worker's shard is empty;
  // 5 images in batches of 2 over 3 devices: shards [1, 1, 0], then [1, 0, 0].
  const cases = [
    { size: 17, batchSize: 16, devices: 2 },
    { size: 5, batchSize: 2, devices: 3 },
  ];
  const references = new Map<string, Float32Array[]>();
  const reference = async (size: number, batchSize: number) => {
    const key = `${size}/${batchSize}`;
    if (!references.has(key)) {
      const one = setup({ trainLoader: tinyLoader({ size, batchSize }), epochs: 2 });
      await train(one);
      references.set(key, weightsOf(one));
    }
    return references.get(key) as Float32Array[];
  };
  test.each(
    cases.flatMap((c) => (['hybrid', 'data'] as const).map((parallel) => ({ ...c, parallel }))),
  )(
    '$parallel, $size images in batches of $batchSize on $devices devices',
    async ({ size, batchSize, devices, parallel }) => {
      const options = setup({
        trainLoader: tinyLoader({ size, batchSize }),
        epochs: 2,
        devices,
        parallel,
      });
      const initial = weightsOf(options);
      const summary = await train(options);
      expect(summary.steps).toBe(2 * Math.ceil(size / batchSize));
      const got = weightsOf(options);
      expect(maxAbsDiff(got, initial)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(got, await reference(size, batchSize))).toBeLessThanOrEqual(1e-5);
    },
  );
});
