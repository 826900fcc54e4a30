// Builds the optional oneDNN engine (native/build/Release/rectifier_onednn.node) when a C++
// compiler and oneDNN's headers are present; otherwise prints one line and succeeds, so that
// `npm install` works everywhere and selectBackend() falls back to wasm.
//
// Runs as @rectifier/backend's install script. RECTIFIER_ONEDNN=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const log = join(here, 'build', 'build.log');
const skip = (reason) => {
  console.log(
    `@rectifier/backend: oneDNN engine not built (${reason}); selectBackend() will use wasm.`,
  );
  process.exit(0);
};

if (process.env.RECTIFIER_ONEDNN === '0') skip('RECTIFIER_ONEDNN=0');
if (process.platform === 'win32') skip('Windows builds are not supported');

const cxx = process.env.CXX || 'c++';
// Preprocessing alone finds the header wherever the compiler looks (CPATH, conda, Homebrew).
const probe = spawnSync(cxx, ['-x', 'c++', '-E', '-o', '/dev/null', '-'], {
  input: '#include <dnnl.hpp>\n',
  stdio: ['pipe', 'ignore', 'ignore'],
});
if (probe.error) skip(`no C++ compiler: \`${cxx}\` did not run`);
if (probe.status !== 0)
  skip('oneDNN headers (dnnl.hpp) not found: apt-get install libdnnl-dev, or brew/conda onednn');

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
createRequire(import.meta.url).resolve('node-addon-api');

const build = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedir], {
  cwd: here,
  encoding: 'utf8',
});
mkdirSync(dirname(log), { recursive: true });
writeFileSync(log, `${build.stdout ?? ''}\n${build.stderr ?? ''}`);
if (build.status !== 0) skip(`node-gyp failed, see ${log}`);
console.log('@rectifier/backend: oneDNN engine built (selectBackend() can use "onednn").');
