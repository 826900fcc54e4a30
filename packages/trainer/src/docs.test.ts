import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const page = fileURLToPath(new URL('../../../docs/packages/trainer.md', import.meta.url));

/** The ```ts block under `heading` in docs/packages/trainer.md (tools/ci/doctest.mjs runs READMEs only). */
function example(heading: string): string {
  const text = readFileSync(page, 'utf8');
  const section = text.slice(text.indexOf(`\n## ${heading}\n`));
  const code = section.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (code === undefined) throw new Error(`no ts block under "## ${heading}" in ${page}`);
  return code;
}

test("docs/packages/trainer.md's stopping example runs as written", () => {
  // Inside the package so `@rectifier/*` resolve (from their sources, as every test here).
  const dir = join(packageDir, `.docs-test-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'example.ts'), example('Stopping and observing a run'));
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@rectifier/source', 'example.ts'],
      { cwd: dir, encoding: 'utf8', timeout: 180_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^step 10: loss [\d.]+, lr 0\.05$/m);
    expect(run.stdout).toMatch(/^stopped by maxSteps after 30 steps$/m);
    // 1,800 images in batches of 64: 29 steps an epoch, 58 in all.
    expect(run.stdout).toMatch(/^finished after 58 steps, validation top-1 error [\d.]+$/m);
    expect(run.stdout).toMatch(/^epoch 2: val [\d.]+$/m);
    expect(run.stdout).toMatch(
      /^step-000000\d\d\.ckpt loaded \(step \d+\); weights [0-9a-f]{64}$/m,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 200_000);
