import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./testing/runChild.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'rectifier-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Outcome {
  signal: NodeJS.Signals | null;
  code: number | null;
  steps: number[];
  sha: string | null;
  stderr: string;
}

/**
 * Runs runChild.ts; `killAfterStep` = [n, ms]: the parent SIGKILLs the child `ms` after it
 * printed `step n`, i.e. during step n + 1 (a step of this net takes tens of ms, the
 * bookkeeping between steps well under one).
 */
function child(
  backend: string,
  runDir: string,
  mode: 'train' | 'resume',
  selfKill = '',
  killAfterStep?: [number, number],
): Promise<Outcome> {
  return new Promise((resolve) => {
    // One process (tsx as an import hook, not the tsx CLI, which runs the script in a child
    // of its own that a SIGKILL of the CLI would orphan).
    const p: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@rectifier/source',
        script,
        backend,
        runDir,
        mode,
        selfKill,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: packageDir },
    );
    const out: Outcome = { signal: null, code: null, steps: [], sha: null, stderr: '' };
    let buffer = '';
    p.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        if (line.startsWith('step ')) {
          const s = Number(line.slice(5));
          out.steps.push(s);
          if (killAfterStep && s === killAfterStep[0]) {
            setTimeout(() => p.kill('SIGKILL'), killAfterStep[1]);
          }
        } else if (line.startsWith('summary ')) {
          out.sha = JSON.parse(line.slice(8)).weightsSha256;
        }
      }
    });
    p.stderr?.on('data', (d: Buffer) => {
      out.stderr += d.toString();
    });
    // tfjs prints a banner suggesting tfjs-node on stderr; anything else is a failure.
    const errors = () =>
      out.stderr.replace(/\n?=+\nHi, looks like you are running TensorFlow\.js[^=]*=+\n/g, '');
    p.on('close', (code, signal) => resolve({ ...out, stderr: errors(), code, signal }));
  });
}

describe.each([['wasm'], ['cpu']])('SIGKILL and resume on %s', (backend) => {
  test('killed mid-checkpoint-write, mid-step and before a rename, the resumed run ends bit-identical', async () => {
    const reference = await child(backend, join(root, `${backend}-ref`), 'train');
    expect(reference.stderr).toBe('');
    expect(reference.sha).toMatch(/^[0-9a-f]{64}$/);

    const runDir = join(root, `${backend}-killed`);
    const ck = join(runDir, 'checkpoints');
    // 1. Killed with half of checkpoint 8 written to its temporary file.
    const a = await child(backend, runDir, 'train', 'partial:8');
    expect(a.signal).toBe('SIGKILL');
    expect(a.steps.at(-1)).toBe(8);
    expect(readdirSync(ck)).toContain('.step-00000008.ckpt.tmp');
    expect(readdirSync(ck)).not.toContain('step-00000008.ckpt');

    // 2. Resumed from checkpoint 4, killed by the parent 5 ms after the child reported step 9:
    //    during step 10 (or, if this shared machine delays the parent, a step or so later —
    //    before the checkpoint of step 12 in any case).
    const b = await child(backend, runDir, 'resume', '', [9, 5]);
    expect(b.steps[0]).toBe(5);
    expect(b.signal).toBe('SIGKILL');
    expect(b.steps.at(-1)).toBeGreaterThanOrEqual(9);
    expect(b.steps.at(-1)).toBeLessThanOrEqual(11);
    expect(readdirSync(ck)).not.toContain('.step-00000008.ckpt.tmp'); // cleaned on resume

    // 3. Resumed from checkpoint 8, killed after checkpoint 12 was written but before its rename.
    const c = await child(backend, runDir, 'resume', 'written:12');
    expect(c.steps[0]).toBe(9);
    expect(c.signal).toBe('SIGKILL');
    expect(existsSync(join(ck, 'step-00000012.ckpt'))).toBe(false);

    // 4. Resumed from checkpoint 8 again, to the end.
    const d = await child(backend, runDir, 'resume');
    expect(d.stderr).toBe('');
    expect(d.steps[0]).toBe(9);
    expect(d.steps.at(-1)).toBe(18);
    expect(d.sha).toBe(reference.sha);
  });
});
