#!/usr/bin/env node
/**
 * The packages as a user gets them: `npm pack` every published package, install the tarballs
 * with only `@tensorflow/tfjs` beside them into a fresh project outside the repo, and train
 * there, from ESM and from CommonJS. Catches what the in-repo tests cannot: the `files` list,
 * the `exports` map, dist-relative paths (bundled assets, worker entries, wasm binaries) and
 * whether one peer really is enough to train. Then every README example runs there as a doc test
 * (doctest.mjs).
 *
 *   node tools/ci/packed-install.mjs [--keep]     (after `npm run build`)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDocTests } from './doctest.mjs';
import { manifestProblems } from './packed-manifest.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const keep = process.argv.includes('--keep');
const oldestTypeScript = '5.0.4';
const work = mkdtempSync(join(tmpdir(), 'rectifier-packed-'));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

const published = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((d) => !JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).private);
const tfjs = JSON.parse(
  readFileSync(join(root, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8'),
).version;

try {
  const tarballs = published.map((dir) => {
    const out = run('npm', ['pack', '--silent', '--pack-destination', work], dir).trim();
    return join(work, out.split('\n').pop());
  });
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'rectifier-consumer', private: true, type: 'module' }),
  );
  const started = performance.now();
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      `@tensorflow/tfjs@${tfjs}`,
      // The oldest TypeScript the packages' types support, for the check below.
      `typescript@${oldestTypeScript}`,
      '@types/node@20',
    ],
    app,
  );
  console.log(
    `installed ${tarballs.length} tarballs + @tensorflow/tfjs@${tfjs} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const problems = published.flatMap((dir) => {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return manifestProblems(join(app, 'node_modules', name));
  });
  if (problems.length > 0) throw new Error(`Packed manifests:\n${problems.join('\n')}`);
  console.log(`manifests: ${published.length} packages ship every file they name`);
  const here = dirname(fileURLToPath(import.meta.url));
  writeFileSync(join(app, 'packed-types.ts'), readFileSync(join(here, 'packed-types.ts')));
  const tsc = spawnSync(
    process.execPath,
    [
      join(app, 'node_modules/typescript/bin/tsc'),
      ...['--noEmit', '--strict', '--target', 'es2022', '--types', 'node'],
      ...['--module', 'nodenext', '--moduleResolution', 'nodenext', 'packed-types.ts'],
    ],
    { cwd: app, encoding: 'utf8' },
  );
  const ours = tsc.stdout
    .split('\n')
    .filter((l) => /^(node_modules\/@rectifier\/|packed-types)/.test(l));
  if (ours.length > 0) {
    throw new Error(
      `The packed types do not compile with TypeScript ${oldestTypeScript}:\n${ours.join('\n')}`,
    );
  }
  console.log(`types: every package compiles with TypeScript ${oldestTypeScript}`);
  for (const script of ['packed-consumer.mjs', 'packed-consumer.cjs']) {
    writeFileSync(join(app, script), readFileSync(join(here, script)));
    process.stdout.write(run(process.execPath, [script], app));
  }
  const examples = await runDocTests(app);
  console.log(`packed install: ok (${examples} README examples ran as doc tests)`);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
