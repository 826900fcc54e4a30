#!/usr/bin/env node
/**
 * Packaging quality of every published package, checked on the tarball `npm pack` makes (what
 * the registry receives):
 *
 *   - contents: only package.json, README.md, LICENSE, CHANGELOG.md, dist/ and the sources that
 *     the `@rectifier/source` export condition and the source maps name (src/**.ts without tests,
 *     fixtures or test helpers), plus the oneDNN (backend), libjpeg-turbo (augmentation) and Open
 *     MPI (trainer) addon sources (native/: their install steps compile them on the user's
 *     machine) — anything else fails. LICENSE and CHANGELOG.md are listed when missing (they arrive with the licence
 *     files and the first `changeset version`); `--require-license-changelog` makes a missing
 *     one a failure too.
 *   - publint (strict): exports/main/module/types point at files in the tarball, formats match.
 *   - @arethetypeswrong/cli: types resolve for ESM and CJS under node10, node16 and bundler.
 *   - dependencies: every package the built code or types import is a dependency or peer
 *     dependency (else a user's install breaks); a non-optional one declared but never imported
 *     is printed as a notice (users install it for nothing).
 *
 *   node tools/ci/package-quality.mjs [--require-license-changelog]   (after `npm run build`)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireAll = process.argv.includes('--require-license-changelog');
const work = mkdtempSync(join(tmpdir(), 'rectifier-quality-'));
const attw = join(root, 'node_modules', '.bin', 'attw');

// bin/rectifier.js: reproduce's committed bin, which loads dist/cli.js (it must exist before the
// build: npm links bins at install).
const allowedFile = new Set([
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'bin/rectifier.js',
]);
// The addons' sources, compiled by each package's install step: backend's oneDNN kernels (one file
// per kernel family under native/src), augmentation's JPEG decoder and resampler (native/src) and
// trainer's MPI binding, with the shared build helper.
const nativeSource =
  /^native\/(binding\.gyp|build\.mjs|addonBuild\.mjs|src\/\w+\.(cc|h)|mpi\/(binding\.gyp|mpi\.c|build\.mjs))$/;
const allowed = (path) =>
  allowedFile.has(path) ||
  path.startsWith('dist/') ||
  nativeSource.test(path) ||
  (/^src\/.*\.ts$/.test(path) && !/\.test\.ts$|\/fixtures\/|^src\/testing\//.test(path));

/** Package names the built files and types import or require (static specifiers, no built-ins). */
function importedPackages(dir, paths) {
  const names = new Set();
  // The quoted specifier must close the statement or call: `require('u' + 'rl')` (a tsup shim)
  // names no package.
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\(\s*|^import\s+)['"]([^'"]+)['"](?=\s*[;)]|\s*$)/gm;
  // .d.ts files count: a package whose published types import another needs it installed too.
  for (const path of paths.filter((p) => /^dist\/.*\.(d\.c?ts|c?js)$/.test(p))) {
    for (const [, specifier] of readFileSync(join(dir, path), 'utf8').matchAll(pattern)) {
      if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      if (!builtinModules.includes(name)) names.add(name);
    }
  }
  return names;
}

/**
 * Imports that are not declared (errors: the user's install breaks), and declared non-optional
 * dependencies never imported (notices: users install them for nothing; the owner decides).
 */
function dependencyProblems(dir, paths) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const declared = { ...pkg.dependencies, ...pkg.peerDependencies };
  const optional = Object.keys(pkg.peerDependenciesMeta ?? {}).filter(
    (name) => pkg.peerDependenciesMeta[name].optional,
  );
  const imported = importedPackages(dir, paths);
  const undeclared = [...imported].filter((name) => !(name in declared));
  const unused = Object.keys(declared).filter(
    (name) => !imported.has(name) && !optional.includes(name),
  );
  return {
    errors: undeclared.map((name) => `imports ${name}, which is neither a dependency nor a peer`),
    notices: unused.map((name) => `declares ${name} but neither its code nor its types import it`),
  };
}

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);

const failures = [];
const missing = [];
const notices = [];
try {
  for (const dir of packages) {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', work], {
        cwd: dir,
      }).toString(),
    );
    const name = packed.name;
    const paths = packed.files.map((f) => f.path);
    const extra = paths.filter((path) => !allowed(path));
    if (extra.length > 0) {
      failures.push(
        `${name}: files outside dist/, src/ sources, README, LICENSE, CHANGELOG: ${extra.join(', ')}`,
      );
    }
    const deps = dependencyProblems(dir, paths);
    for (const problem of deps.errors) failures.push(`${name}: ${problem}`);
    for (const notice of deps.notices) notices.push(`${name}: ${notice}`);
    const absent = ['LICENSE', 'CHANGELOG.md'].filter((file) => !paths.includes(file));
    if (absent.length > 0) missing.push(`${name}: ${absent.join(', ')}`);

    const tarball = join(work, packed.filename);
    const { messages, pkg } = await publint({
      // Files inside an npm tarball live under package/.
      pkgDir: 'package',
      pack: { tarball: new Uint8Array(readFileSync(tarball)).buffer },
      strict: true,
    });
    for (const message of messages) {
      failures.push(`${name}: publint ${message.type}: ${formatMessage(message, pkg)}`);
    }

    // strict profile: node10, node16 (ESM and CJS importers) and bundler resolution.
    let typesOk = true;
    try {
      execFileSync(attw, [tarball, '--profile', 'strict', '--format', 'ascii', '--no-emoji'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      typesOk = false;
      failures.push(`${name}: attw\n${error.stdout?.toString() ?? error.message}`);
    }
    console.log(
      `${name}: ${paths.length} files, ${(packed.size / 1024).toFixed(0)} kB packed; ` +
        `publint ${messages.length === 0 ? 'clean' : `${messages.length} message(s)`}; ` +
        `types (node10, node16 ESM/CJS, bundler) ${typesOk ? 'resolve' : 'DO NOT resolve'}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

for (const notice of notices) console.log(`notice: ${notice}`);
if (missing.length > 0) {
  const say = requireAll ? (line) => failures.push(`missing ${line}`) : console.log;
  for (const line of missing) say(`${requireAll ? '' : 'not yet in the tarball: '}${line}`);
}
if (failures.length > 0) {
  for (const failure of failures) console.error(failure);
  console.error(`package quality: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log(`package quality: ok (${packages.length} packages)`);
