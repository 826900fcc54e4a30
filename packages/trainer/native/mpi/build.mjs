// Builds the `mpi` engine's addon (native/mpi/build/Release/rectifier_mpi.node) when Open MPI's
// compiler wrapper and headers are present; otherwise prints one line and succeeds, so that
// `npm install` works without Open MPI and the engine reports itself unavailable (with the
// install line) when asked for.
//
// Runs as @rectifier/trainer's install script. RECTIFIER_MPI=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const log = join(here, 'build', 'build.log');
const skip = (reason) => {
  console.log(
    `@rectifier/trainer: mpi engine not built (${reason}); the local engine works without it.`,
  );
  process.exit(0);
};

if (process.env.RECTIFIER_MPI === '0') skip('RECTIFIER_MPI=0');
if (process.platform === 'win32') skip('Windows builds are not supported');

const probe = spawnSync('mpicc', ['-E', '-o', '/dev/null', '-x', 'c', '-'], {
  input: '#include <mpi.h>\n',
  stdio: ['pipe', 'ignore', 'ignore'],
});
if (probe.error || probe.status !== 0)
  skip('mpicc or mpi.h not found: apt-get install openmpi-bin libopenmpi-dev');

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

// Node's own headers when its install has them, so node-gyp need not download them.
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h'))
  ? [`--nodedir=${prefix}`]
  : [];

const build = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedir], {
  cwd: here,
  encoding: 'utf8',
});
mkdirSync(dirname(log), { recursive: true });
writeFileSync(log, `${build.stdout ?? ''}\n${build.stderr ?? ''}`);
if (build.status !== 0) skip(`node-gyp failed, see ${log}`);
console.log('@rectifier/trainer: mpi engine built (train({ engine: "mpi" }) under mpirun/srun).');
