import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '@rectifier/architectures';
import { createLoader, ImageDecodeError } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { listCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint';
import { DivergenceError, RunDirectoryError, TrainerArgumentError } from './errors';
import { resume, train } from './run';
import { plateauSchedule } from './schedules';
import { sgd } from './sgd';
import { tempRunDirs } from './testing/tempRunDirs';
import { tinyLoader, type tinyNet } from './testing/tinyNet';
import { tinyRunOptions } from './testing/tinyRun';
import type { TrainOptions } from './trainOptions';
import { weightsSha256 } from './weightsSha256';

const { dir } = tempRunDirs('rectifier-trainer-');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const setup = tinyRunOptions;

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** A run (tinyRunOptions + `base`) that crashed in the step after `steps`: its directory. */
async function crashedAfter(steps: number, base: Partial<TrainOptions>): Promise<string> {
  const runDir = dir();
  const afterStep = (s: number) => {
    if (s === steps + 1) throw new Error('crash');
  };
  await expect(train({ ...setup({ ...base, hooks: { afterStep } }), runDir })).rejects.toThrow(
    'crash',
  );
  return runDir;
}

/** Resumes `runDir` (tinyRunOptions + `base`) and returns its summary and the warnings printed. */
async function resumeHearing(runDir: string, base: Partial<TrainOptions> = {}) {
  const messages: string[] = [];
  const stream = { write: (m: string) => messages.push(m), isTTY: false } as never;
  const resumed = await resume(
    runDir,
    setup({ ...base, quiet: false, progress: 'lines', progressStream: stream }),
  );
  return { resumed, messages };
}

describe('train', () => {
  test('writes the run directory: config, metrics, slopes, checkpoints, summary', async () => {
    const runDir = dir();
    const options = setup();
    const summary = await train({ ...options, runDir });
    const model = options.model as ReturnType<typeof tinyNet>;
    expect(summary.steps).toBe(18);
    expect(summary.weightsSha256).toBe(await weightsSha256(model.model));
    expect(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'))).toEqual(summary);

    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    expect(config.run.backend).toBe('cpu');
    expect(config.versions.tfjs).toBe(tf.version.tfjs);
    expect(
      config.run.optimizer.multipliers.find((m: { name: string }) => m.name === 'act1/prelu_alpha'),
    ).toMatchObject({
      kind: 'slope',
      decayMult: 0,
    });

    const metrics = lines(join(runDir, 'metrics.jsonl'));
    const steps = metrics.filter((m) => m.type === 'step');
    const epochs = metrics.filter((m) => m.type === 'epoch');
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    for (const s of steps) {
      for (const k of ['epoch', 'lr', 'loss', 'top1Error', 'top5Error', 'imagesPerSec', 'timeMs']) {
        expect(typeof s[k], k).toBe('number');
      }
    }
    // stepSchedule({ at: [2] }): epochs 0, 1 at 0.05, epoch 2 at 0.005.
    expect(steps.map((s) => s.lr)).toEqual([...Array(12).fill(0.05), ...Array(6).fill(0.05 * 0.1)]);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    for (const e of epochs) {
      expect(e.valTop1Error).toBeGreaterThanOrEqual(0);
      expect(e.valTop5Error).toBe(0); // 3 classes: the label is always in the top 5
    }
    // The synthetic classes are easy: the loss goes down.
    expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss);

    const slopes = lines(join(runDir, 'slopes.jsonl'));
    expect(slopes.map((s) => s.layers.map((l: { layer: string }) => l.layer))).toEqual(
      Array(3).fill(['act1', 'act2']),
    );
    expect(slopes[0].layers[0].values).toHaveLength(4);

    // keep 2 + the best; the last epoch's checkpoint holds the final weights.
    const ckpts = listCheckpoints(join(runDir, 'checkpoints'));
    expect(ckpts.length).toBeLessThanOrEqual(3);
    expect(ckpts[0]).toBe(summary.lastCheckpoint);
    const last = readCheckpoint(join(runDir, 'checkpoints', ckpts[0]));
    expect(last.step).toBe(18);
    expect(last.buffers.map((b) => b.name)).toContain('act1/prelu_alpha');
  });

  test('backendName names the engine in config.json and summary.json (oneDNN runs under `wasm`)', async () => {
    const runDir = dir();
    const summary = await train({ ...setup({ epochs: 1 }), runDir, backendName: 'onednn' });
    expect(summary.backend).toBe('onednn');
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).run.backend).toBe(
      'onednn',
    );
  });

  test('backend auto: a run that fell back (oneDNN → wasm) resumes; requested and actual recorded apart', async () => {
    const runDir = dir();
    await expect(
      train({
        ...setup({ requestedBackend: 'auto', backendName: 'onednn', maxSteps: 4 }),
        runDir,
      }),
    ).resolves.toMatchObject({
      stoppedBy: 'maxSteps',
      backend: 'onednn',
      backendRequested: 'auto',
    });
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    expect(config.run.backend).toBe('auto');
    expect(config.backend).toEqual({ requested: 'auto', actual: 'onednn' });
    const messages: string[] = [];
    const stream = { write: (m: string) => messages.push(m), isTTY: false } as never;
    const resumed = await resume(
      runDir,
      setup({
        requestedBackend: 'auto',
        backendName: 'wasm',
        quiet: false,
        progress: 'lines',
        progressStream: stream,
      }),
    );
    expect(resumed).toMatchObject({ steps: 18, backend: 'wasm', backendRequested: 'auto' });
    expect(messages.join('')).toMatch(
      /started on backend onednn \(asked for auto\) and continues on wasm/,
    );
    // A run from before requestedBackend (config.json pinned the backend that ran, no
    // `backend` record) resumes on that backend when the caller now asks for 'auto'.
    const older = dir();
    await train({ ...setup({ backendName: 'onednn', maxSteps: 2 }), runDir: older });
    const olderConfig = JSON.parse(readFileSync(join(older, 'config.json'), 'utf8'));
    delete olderConfig.backend;
    writeFileSync(join(older, 'config.json'), JSON.stringify(olderConfig));
    await expect(
      resume(older, setup({ requestedBackend: 'auto', backendName: 'onednn' })),
    ).resolves.toMatchObject({ steps: 18 });
    // A backend asked for by name stays pinned.
    const pinned = dir();
    await train({ ...setup({ backendName: 'onednn', maxSteps: 2 }), runDir: pinned });
    await expect(resume(pinned, setup({ backendName: 'wasm' }))).rejects.toThrow(
      /options differ from the run's config\.json in: backend/,
    );
  });

  test('same seed, same backend → identical weights; no tensor leaks between steps 2 and 10', async () => {
    const counts: number[] = [];
    const a = await train({
      ...setup({ hooks: { afterStep: () => counts.push(tf.memory().numTensors) } }),
      runDir: dir(),
    });
    const b = await train({ ...setup(), runDir: dir() });
    expect(b.weightsSha256).toBe(a.weightsSha256);
    expect(counts[9]).toBe(counts[1]);
    expect(counts[17]).toBe(counts[1]);
  });

  test('a run stopped mid-epoch resumes to the same final weights (steps checkpoints, accumulation)', async () => {
    const base = { checkpointEvery: { steps: 4 }, accumulate: 2 };
    const whole = await train({ ...setup(base), runDir: dir() });
    const runDir = dir();
    await expect(
      train({
        ...setup({
          ...base,
          hooks: {
            afterStep: (s) => {
              if (s === 10) throw new Error('simulated crash');
            },
          },
        }),
        runDir,
      }),
    ).rejects.toThrow('simulated crash');
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    const starts: (number | undefined)[] = [];
    const spied = tinyLoader();
    const resumed = await resume(
      runDir,
      setup({
        ...base,
        trainLoader: {
          ...spied,
          epoch: (e: number, o?: { startBatch?: number }) => {
            starts.push(o?.startBatch);
            return spied.epoch(e, o);
          },
        },
      }),
    );
    expect(resumed.weightsSha256).toBe(whole.weightsSha256);
    expect(resumed.steps).toBe(18);
    // Checkpoint 8 = epoch 1 after 2 batches: the loader starts there (epoch 0 is probed by the checks).
    expect(starts).toEqual([undefined, 2, undefined]);
    // The steps replayed after the checkpoint at step 8 appear once in metrics.jsonl.
    const steps = lines(join(runDir, 'metrics.jsonl')).filter((m) => m.type === 'step');
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));

    // A loader that cannot start mid-epoch (no `startBatch`): its first batches are read and dropped.
    const other = dir();
    const crash = {
      afterStep: (s: number) => {
        if (s === 10) throw new Error('simulated crash');
      },
    };
    await expect(train({ ...setup({ ...base, hooks: crash }), runDir: other })).rejects.toThrow(
      'simulated',
    );
    const inner = tinyLoader();
    const plain = {
      epoch: (e: number) => inner.epoch(e),
      size: inner.size,
      batchSize: inner.batchSize,
    };
    const again = await resume(other, setup({ ...base, trainLoader: plain }));
    expect(again.weightsSha256).toBe(whole.weightsSha256);
  });

  test('a corrupt newest checkpoint is reported and the previous one is used', async () => {
    const base = { checkpointEvery: { steps: 3 }, keep: 3 };
    const whole = await train({ ...setup(base), runDir: dir() });
    const runDir = await crashedAfter(6, base);
    const ckdir = join(runDir, 'checkpoints');
    const newest = listCheckpoints(ckdir)[0];
    expect(newest).toBe('step-00000006.ckpt');
    const bytes = readFileSync(join(ckdir, newest));
    bytes[bytes.length >> 1] ^= 0xff; // flip one byte in the middle
    writeFileSync(join(ckdir, newest), bytes);
    const { resumed, messages } = await resumeHearing(runDir, base);
    expect(resumed.weightsSha256).toBe(whole.weightsSha256);
    expect(messages.join('')).toMatch(/step-00000006\.ckpt: fails its SHA-256 checksum/);
  });

  test('another run’s checkpoint under the newest name is set aside with a warning; resume uses the previous one', async () => {
    const base = { checkpointEvery: { steps: 3 }, keep: 3 };
    const whole = await train({ ...setup(base), runDir: dir() });
    const other = dir();
    await train({ ...setup({ ...base, seed: 5 }), runDir: other }); // same model, another seed
    const runDir = await crashedAfter(6, base);
    const ckdir = join(runDir, 'checkpoints');
    const foreign = 'step-00000018.ckpt'; // the other run's last
    writeFileSync(join(ckdir, foreign), readFileSync(join(other, 'checkpoints', foreign)));
    const { resumed, messages } = await resumeHearing(runDir, base);
    expect(resumed.weightsSha256).toBe(whole.weightsSha256);
    expect(messages.join('')).toMatch(
      /step-00000018\.ckpt: belongs to another run .*set aside as step-00000018\.ckpt\.foreign/,
    );
    expect(existsSync(join(ckdir, `${foreign}.foreign`))).toBe(true);
  });

  test('skipped images reach metrics.jsonl and summary.json, also when maxSteps ends mid-epoch', async () => {
    // Examples 5 and 20 cannot be decoded: the loader skips them. In data-set order the first
    // two batches (0–7, 8–15) hold example 5 only.
    const broken = createLoader({
      size: 48,
      batchSize: 8,
      seed: 3,
      shuffle: false,
      label: (i) => i % 3,
      describe: (i) => `img-${i}.png`,
      onEpochEnd: () => {}, // the run directory reports them; keep the test's output clean
      load: async (i, rng) => {
        if (i === 5 || i === 20) throw new ImageDecodeError(`img-${i}.png`, 'truncated PNG');
        const data = new Float32Array(64).map(() => rng.normal());
        return { data, height: 8, width: 8, channels: 1 };
      },
    });
    const options = setup({ trainLoader: broken, valLoader: undefined, schedule: undefined });
    // maxSteps 2, below an epoch: the loader's end-of-epoch report never comes.
    const shortDir = dir();
    const short = await train({ ...options, maxSteps: 2, runDir: shortDir });
    expect(short.skipped).toEqual({
      count: 1,
      examples: [{ epoch: 0, path: 'img-5.png', reason: expect.stringMatching(/truncated PNG/) }],
    });
    expect(JSON.parse(readFileSync(join(shortDir, 'summary.json'), 'utf8')).skipped).toEqual(
      short.skipped,
    );
    // Resumed to the end: the count goes on from the checkpoint (2 per epoch, 3 epochs).
    const resumed = await resume(
      shortDir,
      setup({ trainLoader: broken, valLoader: undefined, schedule: undefined }),
    );
    expect(resumed.skipped?.count).toBe(6);
    const epochs = lines(join(shortDir, 'metrics.jsonl')).filter((l) => l.type === 'epoch');
    expect(epochs.map((l) => l.skipped.count)).toEqual([2, 2, 2]);
    expect(epochs[1].skipped.examples.map((e: { path: string }) => e.path)).toEqual([
      'img-5.png',
      'img-20.png',
    ]);
  });

  test('a checkpoint from before fingerprints (0.1) is resumed with a warning', async () => {
    const whole = await train({ ...setup(), runDir: dir() });
    const runDir = dir();
    await train({ ...setup({ maxSteps: 7 }), runDir });
    const ckdir = join(runDir, 'checkpoints');
    const [newest] = listCheckpoints(ckdir);
    const { fingerprint, ...old } = readCheckpoint(join(ckdir, newest));
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    writeCheckpoint(ckdir, old);
    const { resumed, messages } = await resumeHearing(runDir);
    expect(resumed.weightsSha256).toBe(whole.weightsSha256);
    expect(messages.join('')).toMatch(
      new RegExp(
        `${newest.replace('.', '\\.')}: written before @rectifier/trainer 0\\.2, it records no run fingerprint`,
      ),
    );
  });

  test('a run killed before its step-0 checkpoint: resume starts it from step 0, same weights', async () => {
    const whole = await train({ ...setup(), runDir: dir() });
    const runDir = dir();
    // Stands for a SIGKILL while the step-0 checkpoint is written: config.json is there, only
    // a temporary file in checkpoints/.
    await expect(
      train({
        ...setup({
          hooks: {
            checkpoint: (phase, step) => {
              if (step === 0 && phase === 'partial') throw new Error('killed');
            },
          },
        }),
        runDir,
      }),
    ).rejects.toThrow('killed');
    expect(existsSync(join(runDir, 'config.json'))).toBe(true);
    expect(listCheckpoints(join(runDir, 'checkpoints'))).toEqual([]);
    const resumed = await resume(runDir, setup());
    expect(resumed.steps).toBe(18);
    expect(resumed.weightsSha256).toBe(whole.weightsSha256);
    expect(readdirSync(join(runDir, 'checkpoints')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a diverging learning rate stops with DivergenceError naming the step and last checkpoint', async () => {
    const runDir = dir();
    const err = await train({
      ...setup({ optimizer: sgd({ learningRate: 1e12 }), epochs: 2 }),
      runDir,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err.message).toMatch(/diverged at step \d+: the loss is (NaN|Infinity)/);
    expect(err.message).toMatch(/step-00000000\.ckpt/);
    // The advice can be followed: resume refuses another rate, so the message says to start anew.
    expect(err.message).toMatch(/train a new run in a new run directory/);
    expect(err.message).not.toMatch(/resume from that checkpoint with a smaller rate/);
    await expect(
      resume(runDir, setup({ optimizer: sgd({ learningRate: 1e-3 }), epochs: 2 })),
    ).rejects.toThrow(/options differ from the run's config\.json in: optimizer/);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    // The run directory is consistent: its last checkpoint reads back.
    expect(readCheckpoint(join(runDir, 'checkpoints', 'step-00000000.ckpt')).step).toBe(0);
  });

  test('bad input: typed errors before any step, nothing written', async () => {
    const runDir = dir();
    const bad = async (
      o: Partial<TrainOptions>,
      pattern: RegExp,
      type: unknown = TrainerArgumentError,
    ) => {
      const e = await train({ ...setup(), runDir, ...o } as TrainOptions).catch((x) => x);
      expect(e).toBeInstanceOf(type);
      expect(e.message).toMatch(pattern);
      expect(existsSync(runDir)).toBe(false);
    };
    await bad({ epocs: 3 } as never, /unknown option `epocs`; did you mean `epochs`/);
    await bad({ epochs: 0 }, /`epochs` must be a positive integer.*epochs=0/);
    await bad(
      { backendName: '' },
      /`backendName` must be a non-empty string.*backendName= \(string\)/,
    );
    await bad(
      { trainLoader: tinyLoader({ size: 0 }) },
      /`trainLoader` yields no batch \(empty data set/,
    );
    await bad({ optimizer: tf.train.momentum(0.1, 0.9) as never }, /must come from sgd/);
    await bad(
      { schedule: plateauSchedule({ patience: 2 }), valLoader: undefined },
      /pass a `valLoader`/,
    );
    const softmaxNet = buildModel('small', {
      widthMultiplier: 1 / 32,
      fcUnits: 8,
      numClasses: 3,
      seed: 1,
    });
    await bad({ model: softmaxNet }, /ends in a softmax layer.*softmax: false/);
    await bad(
      { optimizer: sgd({ learningRate: 0.1, groups: [{ name: 'conv9/kernel', lrMult: 2 }] }) },
      /matches no weight.*conv9\/kernel/,
    );
  });

  test('a run directory of another config, a finished run: clear errors, nothing overwritten', async () => {
    const runDir = dir();
    await train({ ...setup({ epochs: 1 }), runDir });
    const before = readFileSync(join(runDir, 'metrics.jsonl'));
    await expect(train({ ...setup({ epochs: 1 }), runDir })).rejects.toThrow(
      /already holds this run.*resume/,
    );
    await expect(train({ ...setup({ epochs: 2 }), runDir })).rejects.toThrow(
      /belongs to another run.*differs in: epochs/,
    );
    await expect(resume(runDir, setup({ epochs: 1 }))).rejects.toThrow(RunDirectoryError);
    await expect(resume(runDir, setup({ epochs: 1 }))).rejects.toThrow(/finished/);
    expect(readFileSync(join(runDir, 'metrics.jsonl')).equals(before)).toBe(true);
    expect(readdirSync(join(runDir, 'checkpoints')).every((f) => !f.endsWith('.tmp'))).toBe(true);
  });
});

describe('progress', () => {
  const capture = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, write: (m: string) => out.push(m) } as never };
  };

  test('not a TTY: JSON lines (progress and one per epoch)', async () => {
    const { out, stream } = capture(false);
    await train({ ...setup({ quiet: false, progressStream: stream, epochs: 2 }), runDir: dir() });
    const parsed = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed.filter((p) => p.type === 'epoch').map((p) => p.epoch)).toEqual([0, 1]);
    expect(parsed[0]).toMatchObject({ type: 'progress', step: 1, totalSteps: 12 });
  });

  test('a TTY: a bar with ETA, loss and images/s', async () => {
    const { out, stream } = capture(true);
    Object.assign(stream, {
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
      columns: 200,
    });
    await train({ ...setup({ quiet: false, progressStream: stream, epochs: 1 }), runDir: dir() });
    const text = out.join('');
    expect(text).toMatch(/ETA/);
    expect(text).toMatch(/loss \d+\.\d{4}/);
    expect(text).toMatch(/img\/s/);
  });

  test('quiet: nothing', async () => {
    const { out, stream } = capture(true);
    await train({ ...setup({ quiet: true, progressStream: stream, epochs: 1 }), runDir: dir() });
    expect(out).toEqual([]);
  });
});
