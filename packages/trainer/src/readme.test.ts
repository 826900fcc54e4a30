import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

test('the README example is a complete program that trains and prints its result', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const code = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
  expect(code).toBeDefined();
  // Inside the package so `@rectifier/*` resolve (from their sources, as every test here).
  const dir = join(packageDir, `.doctest-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'readme.ts'), code as string);
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@rectifier/source', 'readme.ts'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const m = run.stdout.match(/validation top-1 error ([\d.]+), weights ([0-9a-f]{64})/);
    expect(m, run.stdout).not.toBeNull();
    // Three epochs of a linear-on-conv PReLU net: far better than chance (0.9).
    expect(Number(m?.[1])).toBeLessThan(0.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
