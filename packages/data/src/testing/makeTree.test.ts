import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { removeTmpDirs, tmp } from './makeTree';

// Test files call removeTmpDirs in afterAll: the 10k-image loader tree alone left 40 MB in /tmp.
it('removeTmpDirs deletes every folder tmp() made, with its contents', () => {
  const dirs = [tmp('cleanup'), tmp('cleanup')];
  writeFileSync(join(dirs[0], 'x.bin'), Buffer.alloc(10));
  removeTmpDirs();
  expect(dirs.map((d) => existsSync(d))).toEqual([false, false]);
});
