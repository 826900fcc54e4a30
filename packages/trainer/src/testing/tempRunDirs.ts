import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * One test file's temporary folder of runs, removed after the file's tests. `dir()` names a new
 * run directory on every call, so no two tests share (and resume from) the same one.
 */
export function tempRunDirs(prefix: string): { root: string; dir: () => string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return { root, dir: () => join(root, `run-${n++}`) };
}
