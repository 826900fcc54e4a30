import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RectifierArgumentError } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from './errors';
import { exitCodeOf } from './program';
import { cli, tinyRunFlags } from './testing/cli';

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as {
  version: string;
};
const cliJs = join(here, '..', 'dist', 'cli.js');

/** Runs the built CLI with its stdout closed before it writes: what `| head -1` leaves it. */
function withClosedStdout(...argv: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliJs, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, err }));
  });
}

describe('versions and the engine', () => {
  it('--version prints the package version', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(version);
    expect(version).not.toBe('0.0.0');
  });

  it('info names one engine, the one training uses, and every package’s real version', async () => {
    const r = await cli('info', '--json', '--backend', 'wasm');
    expect(r.code, r.err).toBe(0);
    const info = z
      .object({
        chosen: z.string(),
        engine: z.string(),
        backend: z.object({ name: z.string() }),
        versions: z.record(z.string(), z.string()),
      })
      .parse(JSON.parse(r.out));
    expect(info.chosen).toBe('wasm');
    expect(info.backend.name).toBe(info.chosen);
    expect(info.engine).toMatch(/^@tensorflow\/tfjs-backend-wasm \d+\.\d+\.\d+$/);
    expect(info.versions['@rectifier/reproduce']).toBe(version);
    for (const name of ['@rectifier/backend', '@rectifier/trainer', '@rectifier/evaluation']) {
      expect(info.versions[name], name).toMatch(/^\d+\.\d+\.\d+/);
    }
    const text = await cli('info', '--backend', 'wasm');
    expect(text.out.split('\n')[0]).toMatch(/^chosen wasm \(@tensorflow\/tfjs-backend-wasm /);
    expect(text.out).toContain(`@rectifier/reproduce ${version}`);
  });
});

describe('exit codes by error class', () => {
  it('any RectifierArgumentError and the app’s usage errors are 2, other errors 1', () => {
    class SomePackageArgumentError extends RectifierArgumentError {}
    expect(exitCodeOf(new SomePackageArgumentError('bad'))).toBe(2);
    expect(exitCodeOf(new UsageError('bad'))).toBe(2);
    expect(exitCodeOf(new Error('disk full'))).toBe(1);
    expect(exitCodeOf('a string')).toBe(1);
  });

  it('bad values exit 2: an unknown backend, an input too small for the pyramid', async () => {
    const gpu = await cli('info', '--backend', 'gpu');
    expect(gpu.code).toBe(2);
    expect(gpu.err).toMatch(
      /argument 'gpu' is invalid.*auto, tensorflow, webgpu, onednn, wasm, cpu/,
    );
    const small = await cli('summary', 'small', '--input', '50');
    expect(small.code).toBe(2);
    expect(small.err).toMatch(/--input 50 is too small .*The smallest valid input is 77\./);
    expect((await cli('summary', 'small', '--input', '77', '--json')).code).toBe(0);
    const a = await cli('summary', 'A', '--input', '100');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/smaller than the 7×7 pyramid level/);
    expect((await cli('summary', 'small', '--activation', 'tanh')).code).toBe(2);
  });

  it('--threads beyond the cores warns before the run starts', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rectifier-empty-'));
    const r = await cli('train', '--threads', '64', '--data', empty, '--run-dir', join(empty, 'r'));
    expect(r.err).toMatch(/warning: --threads 64 is more than the \d+ core\(s\) of this machine/);
    expect(r.code).toBe(2); // then the empty folder is refused
  });
});

describe('a closed stdout (`rectifier … | head -1`)', () => {
  it('stops quietly instead of crashing with EPIPE', async () => {
    for (const argv of [
      ['reproduce', '--list'],
      ['summary', 'A'],
    ]) {
      const r = await withClosedStdout(...argv);
      expect(r.err, argv.join(' ')).not.toMatch(/EPIPE|Error/);
      expect(r.code, argv.join(' ')).toBe(0);
    }
  });
});

/** Starts the built CLI; `until` resolves once `test(stderr)` holds, `done` with the exit. */
function start(argv: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [cliJs, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  const waiting: { test: (e: string) => boolean; go: () => void }[] = [];
  child.stderr.on('data', (d) => {
    err += d;
    for (const w of waiting.filter((x) => x.test(err))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.go();
    }
  });
  const done = new Promise<{ code: number | null; err: string }>((ok) =>
    child.on('close', (code) => ok({ code, err })),
  );
  // Checked on every stderr chunk and every 50 ms: what a test waits for (a metrics line) may be
  // written after the last progress line the run prints for a while.
  const until = (test: (e: string) => boolean) =>
    new Promise<void>((go) => {
      if (test(err)) return go();
      const w = {
        test,
        go: () => {
          clearInterval(poll);
          go();
        },
      };
      const poll = setInterval(() => {
        if (!waiting.includes(w) || !test(err)) return;
        waiting.splice(waiting.indexOf(w), 1);
        w.go();
      }, 50);
      waiting.push(w);
    });
  return { child, done, until };
}

describe('Ctrl-C', () => {
  it('stops after the current step with a checkpoint there, says how to resume, exits 130; resume names that step', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rectifier-sigint-'));
    const runDir = join(root, 'run');
    const env = { RECTIFIER_CACHE: join(root, 'cache') };
    // 20 epochs of 4 steps: far more than the test waits for, so Ctrl-C always lands mid-run.
    const train = start(
      ['train', '--preset', 'table2/prelu', '--epochs', '20', ...tinyRunFlags, '--run-dir', runDir],
      env,
    );
    const metrics = join(runDir, 'metrics.jsonl');
    await train.until(
      () => existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"type":"step"'),
    );
    train.child.kill('SIGINT');
    const stopped = await train.done;
    expect(stopped.code, stopped.err).toBe(130);
    const step = Number(/Interrupted at step (\d+)/.exec(stopped.err)?.[1]);
    expect(step).toBeGreaterThan(0);
    expect(stopped.err).toContain(`Continue it with: rectifier resume ${runDir}`);
    expect(stopped.err).not.toMatch(/InterruptedError:/);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    expect(readdirSync(join(runDir, 'checkpoints'))).toContain(
      `step-${String(step).padStart(8, '0')}.ckpt`,
    );

    const stepLines = () => readFileSync(metrics, 'utf8').split('"type":"step"').length - 1;
    const before = stepLines();
    const resumed = start(['resume', runDir], env);
    // Interrupt once it is stepping again (its SIGINT handler is set while the run goes).
    await resumed.until(() => stepLines() > before);
    resumed.child.kill('SIGINT');
    const again = await resumed.done;
    expect(again.err).toContain(`resuming ${runDir} from step ${step}`);
    expect(again.code, again.err).toBe(130);
  }, 180_000);
});
