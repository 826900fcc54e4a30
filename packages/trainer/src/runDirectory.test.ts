import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CheckpointError, RunDirectoryError, TrainerArgumentError } from './errors';
import { train } from './run';
import { loadCheckpointInto, readRunDirectory } from './runDirectory';
import type { TrainSummary } from './runRecords';
import { sgd } from './sgd';
import { tinyLoader, tinyNet } from './testing/tinyNet';
import type { TrainOptions } from './trainOptions';
import { weightsSha256 } from './weightsSha256';

const root = mkdtempSync(join(tmpdir(), 'rectifier-rundir-'));
let n = 0;
const dir = () => join(root, `run-${n++}`);
/** A copy of the finished run, to damage. */
const copy = () => {
  const to = dir();
  cpSync(finished, to, { recursive: true });
  return to;
};

/** 16 examples in batches of 8: 2 steps per epoch, 2 epochs, a validation set. */
const options = (): Omit<TrainOptions, 'runDir'> => ({
  model: tinyNet({ seed: 4 }),
  optimizer: sgd({ learningRate: 0.05 }),
  trainLoader: tinyLoader({ size: 16 }),
  valLoader: tinyLoader({ size: 8, shuffle: false, seed: 9 }),
  epochs: 2,
  seed: 1,
  quiet: true,
});

let finished: string;
let summary: TrainSummary;

beforeAll(async () => {
  await tf.setBackend('cpu');
  finished = dir();
  summary = await train({ ...options(), runDir: finished });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readRunDirectory', () => {
  test('reads what train() wrote, typed', () => {
    const run = readRunDirectory(finished);
    expect(run.config.run.seed).toBe(1);
    expect(run.config.run.trainData.batchesPerEpoch).toBe(2);
    expect(run.config.versions.tfjs).toBe(tf.version.tfjs);
    const steps = run.metrics.filter((m) => m.type === 'step');
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    const epochs = run.metrics.flatMap((m) => (m.type === 'epoch' ? [m] : []));
    expect(epochs.map((e) => [e.epoch, e.step])).toEqual([
      [0, 2],
      [1, 4],
    ]);
    expect(epochs[1].valTop1Error).toBe(summary.valTop1Error);
    expect(run.slopes.map((s) => s.epoch)).toEqual([0, 1]);
    expect(run.slopes[1].layers.map((l) => l.layer)).toEqual(['act1', 'act2']);
    expect(run.summary).toEqual(summary);
    // keep 2 (the default) plus the best: steps 4 and 2 are the newest, step 0 is gone.
    expect(run.checkpoints.map((c) => c.step)).toEqual(
      [...new Set([4, 2, Number(summary.bestCheckpoint?.slice(5, 13))])].sort((a, b) => b - a),
    );
    expect(run.checkpoints[0]).toEqual({
      name: summary.lastCheckpoint,
      step: 4,
      path: join(finished, 'checkpoints', summary.lastCheckpoint),
    });
    expect(run.warnings).toEqual([]);
  });

  test('an unfinished run has no summary', () => {
    const d = copy();
    rmSync(join(d, 'summary.json'));
    expect(readRunDirectory(d).summary).toBeNull();
  });

  test('tolerates a partial last line of metrics.jsonl with a warning', () => {
    const d = copy();
    appendFileSync(join(d, 'metrics.jsonl'), '{"type":"step","step":5,"ep');
    const heard: string[] = [];
    const run = readRunDirectory(d, { onWarning: (m) => heard.push(m) });
    expect(run.metrics).toEqual(readRunDirectory(finished).metrics);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(/metrics\.jsonl: dropped a partial last line 7/);
    expect(heard).toEqual(run.warnings);
  });

  test('rejects garbage before the last line, naming the file and the line', () => {
    const d = copy();
    const path = join(d, 'metrics.jsonl');
    const rows = readFileSync(path, 'utf8').split('\n');
    rows.splice(1, 0, '{"type":"step","st');
    writeFileSync(path, rows.join('\n'));
    expect(() => readRunDirectory(d)).toThrow(RunDirectoryError);
    expect(() => readRunDirectory(d)).toThrow(/metrics\.jsonl line 2 is not JSON/);
  });

  test('rejects a line of an unknown type and a step line without numbers', () => {
    const d = copy();
    appendFileSync(join(d, 'metrics.jsonl'), '{"type":"stepp","step":5}\n');
    expect(() => readRunDirectory(d)).toThrow(/line 7 has type "stepp"/);
    const e = copy();
    appendFileSync(join(e, 'slopes.jsonl'), '{"epoch":2}\n');
    expect(() => readRunDirectory(e)).toThrow(/slopes\.jsonl line 3 is not a slopes line/);
  });

  test('names a missing metrics.jsonl, a truncated config.json, a garbage summary.json', () => {
    const a = copy();
    rmSync(join(a, 'metrics.jsonl'));
    expect(() => readRunDirectory(a)).toThrow(/No metrics\.jsonl/);
    const b = copy();
    const config = readFileSync(join(b, 'config.json'), 'utf8');
    writeFileSync(join(b, 'config.json'), config.slice(0, 100));
    expect(() => readRunDirectory(b)).toThrow(/config\.json is not valid JSON \(100 bytes/);
    const c = copy();
    writeFileSync(join(c, 'summary.json'), '[1, 2]');
    expect(() => readRunDirectory(c)).toThrow(/summary\.json is not a run summary/);
    expect(() => readRunDirectory(join(root, 'nothing'))).toThrow(/No such directory/);
    expect(() => readRunDirectory(root)).toThrow(/No config\.json/);
    expect(() => readRunDirectory(finished, { onWarnings: () => {} } as never)).toThrow(
      /did you mean `onWarning`/,
    );
  });

  test('names metrics.jsonl or slopes.jsonl that cannot be read (a directory)', () => {
    for (const f of ['metrics.jsonl', 'slopes.jsonl']) {
      const d = copy();
      rmSync(join(d, f));
      mkdirSync(join(d, f));
      expect(() => readRunDirectory(d)).toThrow(RunDirectoryError);
      expect(() => readRunDirectory(d)).toThrow(
        new RegExp(`${f.replace('.', '\\.')} cannot be read \\(EISDIR\\)`),
      );
    }
  });

  test('rejects `checkpoints` being a file', () => {
    const d = copy();
    rmSync(join(d, 'checkpoints'), { recursive: true });
    writeFileSync(join(d, 'checkpoints'), 'x');
    expect(() => readRunDirectory(d)).toThrow(/checkpoints is a file, not a directory/);
  });
});

describe('loadCheckpointInto', () => {
  test('loads the last, the best, or a named file into a freshly built model', async () => {
    const fresh = tinyNet({ seed: 7 }); // other initial weights: loading must replace them all
    const last = loadCheckpointInto(fresh.model, finished);
    expect(last.name).toBe(summary.lastCheckpoint);
    expect(last.step).toBe(4);
    expect(await weightsSha256(fresh.model)).toBe(summary.weightsSha256);

    const best = loadCheckpointInto(fresh.model, finished, { checkpoint: 'best' });
    expect(best.name).toBe(summary.bestCheckpoint);

    const byPath = loadCheckpointInto(fresh.model, join(finished, 'checkpoints', last.name));
    expect(byPath.state.step).toBe(4);
    expect(await weightsSha256(fresh.model)).toBe(summary.weightsSha256);
  });

  test('says what is wrong: unknown checkpoint, no best, another architecture, a misspelt option', () => {
    const fresh = tinyNet();
    expect(() => loadCheckpointInto(fresh.model, finished, { checkpoint: 'step-1.ckpt' })).toThrow(
      /No checkpoint "step-1\.ckpt" in checkpoints\/ \(have: step-/,
    );
    const d = copy();
    rmSync(join(d, 'summary.json'));
    expect(() => loadCheckpointInto(fresh.model, d, { checkpoint: 'best' })).toThrow(
      /No best checkpoint/,
    );
    const other = tinyNet({ classes: 4 });
    expect(() => loadCheckpointInto(other.model, finished)).toThrow(CheckpointError);
    expect(() => loadCheckpointInto(other.model, finished)).toThrow(
      /fc2\/kernel with shape \[8,3\] but the model's is \[8,4\]/,
    );
    expect(() =>
      loadCheckpointInto(fresh.model, finished, { checkpiont: 'last' } as never),
    ).toThrow(TrainerArgumentError);
    expect(() =>
      loadCheckpointInto(fresh.model, finished, { checkpiont: 'last' } as never),
    ).toThrow(/did you mean `checkpoint`/);
  });

  test('refuses another run’s checkpoint planted under this run’s name, naming the file', async () => {
    const other = dir();
    await train({ ...options(), seed: 2, runDir: other }); // same model, another seed
    const d = copy();
    const name = summary.lastCheckpoint;
    cpSync(join(other, 'checkpoints', name), join(d, 'checkpoints', name));
    const fresh = tinyNet();
    expect(() => loadCheckpointInto(fresh.model, d)).toThrow(CheckpointError);
    expect(() => loadCheckpointInto(fresh.model, d)).toThrow(
      new RegExp(`${name.replace('.', '\\.')}: belongs to another run`),
    );
    expect(() => loadCheckpointInto(fresh.model, join(d, 'checkpoints', name))).toThrow(
      /belongs to another run/,
    );
    // Its own run accepts it.
    expect(loadCheckpointInto(fresh.model, other).name).toBe(name);
  });

  test('leaks no tensor', () => {
    const fresh = tinyNet();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) loadCheckpointInto(fresh.model, finished);
    expect(tf.memory().numTensors).toBe(before);
  });
});
