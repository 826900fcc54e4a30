import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { TrainerArgumentError, TrainingInterruptedError } from './errors';
import type { TrainObserver } from './observers/observer';
import { resume, train } from './run';
import { readRunDirectory } from './runDirectory';
import type { StepLine, TrainSummary } from './runRecords';
import { tempRunDirs } from './testing/tempRunDirs';
import { tinyRunOptions } from './testing/tinyRun';

const { dir } = tempRunDirs('rectifier-loop-');

const setup = tinyRunOptions;

let reference: TrainSummary;
let referenceDir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  referenceDir = dir();
  reference = await train({ ...setup(), runDir: referenceDir });
});

/** Steps and epochs of metrics.jsonl, as `step:N` / `epoch:N`. */
const recorded = (runDir: string) =>
  readRunDirectory(runDir).metrics.map((m) => `${m.type}:${m.type === 'step' ? m.step : m.epoch}`);

describe('signal', () => {
  test.each([
    [7, 'mid-epoch'],
    [6, 'on the last step of an epoch, before its validation'],
  ])('aborted during step %i (%s): checkpoint there, typed rejection, exact resume', async (k) => {
    const runDir = dir();
    const controller = new AbortController();
    const hooks = { afterStep: (step: number) => step === k && controller.abort() };
    const error = await train({ ...setup({ hooks }), runDir, signal: controller.signal }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(TrainingInterruptedError);
    expect(error).toMatchObject({ step: k, runDir, checkpoint: `step-0000000${k}.ckpt` });
    expect(error.message).toMatch(`interrupted after step ${k}`);
    expect(existsSync(join(runDir, 'checkpoints', `step-0000000${k}.ckpt`))).toBe(true);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    // The interrupted step is the last one recorded; its epoch has not ended.
    expect(recorded(runDir).at(-1)).toBe(`step:${k}`);

    const resumed: number[] = [];
    const summary = await resume(runDir, setup({ hooks: { afterStep: (s) => resumed.push(s) } }));
    expect(resumed[0]).toBe(k + 1);
    expect(summary.weightsSha256).toBe(reference.weightsSha256);
    expect(summary.steps).toBe(18);
    expect(recorded(runDir)).toEqual(recorded(referenceDir));
  });

  test('the progress bar is stopped before the rejection: nothing is drawn after it', async () => {
    let written = '';
    const write = (chunk: Buffer, _encoding: string, done: () => void) => {
      written += chunk.toString();
      done();
    };
    const stream = Object.assign(new Writable({ write }), { isTTY: true });
    const controller = new AbortController();
    const hooks = { afterStep: (step: number) => step === 3 && controller.abort() };
    const error = await train({
      ...setup({ hooks, quiet: false, progress: 'bar', progressStream: stream }),
      runDir: dir(),
      signal: controller.signal,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingInterruptedError);
    expect(written).toMatch(/step 3\/18/);
    // bar.stop(): the cursor the bar hid is shown again, the line ended — a message can follow.
    expect(written).toContain('\u001b[?25h');
    const atRejection = written.length;
    await new Promise((r) => setTimeout(r, 400)); // cli-progress redraws every 100 ms while running
    expect(written.length).toBe(atRejection);
  });

  test('already aborted: stops at step 0 with the initial checkpoint', async () => {
    const runDir = dir();
    const error = await train({ ...setup(), runDir, signal: AbortSignal.abort() }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingInterruptedError);
    expect(error).toMatchObject({ step: 0, checkpoint: 'step-00000000.ckpt' });
    const summary = await resume(runDir, setup());
    expect(summary.weightsSha256).toBe(reference.weightsSha256);
  });

  test('a real SIGINT to a process that wires it to `signal`: exit 130, then an exact resume', async () => {
    const runDir = dir();
    const a = await child(runDir, 'train', 5);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(130);
    expect(a.interrupted).not.toBeNull();
    const [step, checkpoint] = a.interrupted as [number, string];
    // The signal lands during step 6 or a little later on a busy machine; that step finishes.
    expect(step).toBeGreaterThanOrEqual(5);
    expect(step).toBeLessThan(18);
    expect(a.steps.at(-1)).toBe(step);
    expect(checkpoint).toBe(`step-${String(step).padStart(8, '0')}.ckpt`);
    const b = await child(runDir, 'resume');
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(b.steps[0]).toBe(step + 1);
    const c = await child(dir(), 'train');
    expect(b.sha).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha).toBe(c.sha);
  }, 120_000);
});

describe('maxSteps', () => {
  test('stops after that many steps, checkpoint and summary say so; resume continues exactly', async () => {
    const runDir = dir();
    const summary = await train({ ...setup(), runDir, maxSteps: 8 });
    expect(summary).toMatchObject({ stoppedBy: 'maxSteps', steps: 8, epochs: 1 });
    expect(summary.lastCheckpoint).toBe('step-00000008.ckpt');
    expect(readRunDirectory(runDir).summary).toEqual(summary);
    expect(recorded(runDir).at(-1)).toBe('step:8');
    const steps = readRunDirectory(runDir).metrics.filter((m): m is StepLine => m.type === 'step');
    // The summary's training loss is the unfinished epoch's mean (steps 7 and 8).
    expect(summary.trainLoss).toBeCloseTo((steps[6].loss + steps[7].loss) / 2, 6);
    const epoch0 = readRunDirectory(runDir).metrics.find((m) => m.type === 'epoch');
    expect(summary.valTop1Error).toBe(epoch0?.type === 'epoch' ? epoch0.valTop1Error : NaN);

    const final = await resume(runDir, setup());
    expect(final.stoppedBy).toBe('epochs');
    expect(final.weightsSha256).toBe(reference.weightsSha256);
    expect(recorded(runDir)).toEqual(recorded(referenceDir));
  });

  test('reached on the last step of an epoch: that epoch ends (validation, lines) first', async () => {
    const runDir = dir();
    const summary = await train({ ...setup(), runDir, maxSteps: 12 });
    expect(summary).toMatchObject({ stoppedBy: 'maxSteps', steps: 12, epochs: 2 });
    expect(recorded(runDir).at(-1)).toBe('epoch:1');
    const epochs = readRunDirectory(runDir).metrics.filter((m) => m.type === 'epoch');
    expect(summary.trainLoss).toBe(epochs[1].trainLoss);
    expect(summary.valTop1Error).toBe(epochs[1].valTop1Error);
  });

  test('must be a positive integer; signal and observers are checked too', async () => {
    for (const maxSteps of [0, 2.5, '3']) {
      await expect(
        train({ ...setup(), runDir: dir(), maxSteps: maxSteps as number }),
      ).rejects.toThrow(TrainerArgumentError);
    }
    await expect(train({ ...setup(), runDir: dir(), maxSteps: 0 })).rejects.toThrow(
      /`maxSteps` must be a positive integer/,
    );
    await expect(
      train({ ...setup(), runDir: dir(), signal: 'stop' as unknown as AbortSignal }),
    ).rejects.toThrow(/`signal` must be an AbortSignal/);
    await expect(
      train({ ...setup(), runDir: dir(), observers: [{ onStep: () => {} } as TrainObserver] }),
    ).rejects.toThrow(/train: observers\[0\]: unknown option `onStep`; did you mean `step`\?/);
  });
});

describe('events', () => {
  test("afterStep receives the step's metrics line; observers hear every event in order", async () => {
    const runDir = dir();
    const heard: [number, StepLine][] = [];
    const events: string[] = [];
    const observer: TrainObserver = {
      start: (e) => events.push(`start ${e.totalSteps} ${e.doneSteps}`),
      step: (l) => events.push(`step ${l.step}`),
      epochEnd: (e) => events.push(`epochEnd ${e.line.epoch} ${e.last}`),
      stop: (e) => events.push(`stop ${e.reason} ${e.step}`),
      end: (s) => events.push(`end ${s.steps}`),
      close: () => events.push('close'),
    };
    await train({
      ...setup({ epochs: 1, hooks: { afterStep: (s, line) => heard.push([s, line]) } }),
      runDir,
      observers: [observer],
      slopes: false,
    });
    const lines = readRunDirectory(runDir).metrics.filter((m) => m.type === 'step');
    expect(heard.map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(heard.map(([, l]) => l)).toEqual(lines);
    expect(typeof heard[0][1].loss).toBe('number');
    expect(events).toEqual([
      'start 6 0',
      ...[1, 2, 3, 4, 5, 6].map((s) => `step ${s}`),
      'epochEnd 0 true',
      'stop epochs 6',
      'end 6',
      'close',
    ]);
    expect(existsSync(join(runDir, 'slopes.jsonl'))).toBe(false);
    expect(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')).toMatch(/"type":"epoch"/);
  });
});

interface Outcome {
  code: number | null;
  steps: number[];
  interrupted: [number, string] | null;
  sha: string | null;
  stderr: string;
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./testing/sigintChild.ts', import.meta.url));

/** Runs sigintChild.ts; with `interruptAfter`, sends it SIGINT when it prints that step. */
function child(runDir: string, mode: 'train' | 'resume', interruptAfter?: number) {
  return new Promise<Outcome>((resolve) => {
    const p: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@rectifier/source', script, runDir, mode],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: packageDir },
    );
    const out: Outcome = { code: null, steps: [], interrupted: null, sha: null, stderr: '' };
    let buffer = '';
    p.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const [word, a, b] = buffer.slice(0, nl).split(' ');
        buffer = buffer.slice(nl + 1);
        if (word === 'step') {
          out.steps.push(Number(a));
          if (Number(a) === interruptAfter) p.kill('SIGINT');
        } else if (word === 'interrupted') out.interrupted = [Number(a), b];
        else if (word === 'summary') out.sha = JSON.parse(a).weightsSha256;
      }
    });
    p.stderr?.on('data', (d: Buffer) => {
      out.stderr += d.toString();
    });
    // tfjs prints a banner suggesting tfjs-node on stderr; anything else is a failure.
    const errors = () =>
      out.stderr.replace(/\n?=+\nHi, looks like you are running TensorFlow\.js[^=]*=+\n/g, '');
    p.on('close', (code) => resolve({ ...out, code, stderr: errors() }));
  });
}
