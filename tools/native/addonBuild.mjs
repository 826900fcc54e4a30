// The build of Rectifier's optional Node-API addons (the oneDNN engine in @rectifier/backend,
// the MPI engine in @rectifier/trainer), run by each package's install script: probe for what
// the addon needs, then node-gyp; when something is missing, print one line saying what and how
// to get it, and succeed, so `npm install` works everywhere and the package falls back.
//
// Each package is installed alone from its tarball, so this file ships inside each one: the
// packages' `prepack` copies it to native/addonBuild.mjs (git ignores the copies), and their
// native/…/build.mjs load that copy, or this file in the repository.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Whether `command args…` preprocesses `source` (a header probe that finds headers wherever
 * the compiler looks: CPATH, conda, Homebrew): 'ok', 'failed', or 'missing' (no such command).
 */
export function preprocesses(command, args, source) {
  const probe = spawnSync(command, args, { input: source, stdio: ['pipe', 'ignore', 'ignore'] });
  if (probe.error) return 'missing';
  return probe.status === 0 ? 'ok' : 'failed';
}

/**
 * The probe of a C++ addon on node-addon-api: the reason not to build it, or undefined when the
 * C++ compiler ($CXX, else c++) preprocesses `source` (the headers it needs, and any checks of
 * their version). `notFound` says which package provides them.
 */
export function probeCxxHeaders(source, notFound) {
  const cxx = process.env.CXX || 'c++';
  const found = preprocesses(cxx, ['-x', 'c++', '-E', '-o', '/dev/null', '-'], source);
  if (found === 'missing') return `no C++ compiler: \`${cxx}\` did not run`;
  if (found === 'failed') return notFound;
  // binding.gyp asks node for node-addon-api's headers.
  createRequire(import.meta.url).resolve('node-addon-api');
  return undefined;
}

/**
 * Builds the addon whose binding.gyp is in `dir`, unless `skipVariable` is '0', the platform
 * is Windows or `probe()` returns a reason. `name` says what is built (`@rectifier/backend:
 * oneDNN engine`), `fallback` what works without it, `built` the line printed on success.
 */
export function buildAddon({ dir, name, skipVariable, fallback, probe, built }) {
  const skip = (reason) => {
    console.log(`${name} not built (${reason}); ${fallback}.`);
    process.exit(0);
  };
  if (process.env[skipVariable] === '0') skip(`${skipVariable}=0`);
  if (process.platform === 'win32') skip('Windows builds are not supported');
  const missing = probe();
  if (missing) skip(missing);

  // npm hands its bundled node-gyp to lifecycle scripts; outside npm, fall back to npm's copy.
  const gyp =
    process.env.npm_config_node_gyp ||
    [
      join(
        dirname(process.execPath),
        '..',
        'lib',
        'node_modules',
        'npm',
        'node_modules',
        'node-gyp',
        'bin',
        'node-gyp.js',
      ),
    ].find((p) => existsSync(p));
  if (!gyp) skip('node-gyp not found (it ships with npm)');

  // Node's own headers, when its install has them (/usr/include/node for Debian, the official
  // tarballs), so that node-gyp does not have to download them.
  const prefix = join(dirname(process.execPath), '..');
  const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h'))
    ? [`--nodedir=${prefix}`]
    : [];

  const log = join(dir, 'build', 'build.log');
  const build = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedir], {
    cwd: dir,
    encoding: 'utf8',
  });
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, `${build.stdout ?? ''}\n${build.stderr ?? ''}`);
  if (build.status !== 0) skip(`node-gyp failed, see ${log}`);
  console.log(built);
}
