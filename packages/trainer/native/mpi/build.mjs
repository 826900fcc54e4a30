// Builds the `mpi` engine's addon (native/mpi/build/Release/rectifier_mpi.node) when Open MPI's
// compiler wrapper and headers are present; otherwise prints one line and succeeds, so that
// `npm install` works without Open MPI and the engine reports itself unavailable (with the
// install line) when asked for.
//
// Runs as @rectifier/trainer's install script. RECTIFIER_MPI=0 skips the build.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// The shared helper: packed into native/ by `prepack`, else the repository's.
const packed = new URL('../addonBuild.mjs', import.meta.url);
const { buildAddon, preprocesses } = await import(
  existsSync(packed) ? packed : new URL('../../../../tools/native/addonBuild.mjs', import.meta.url)
);

buildAddon({
  dir: dirname(fileURLToPath(import.meta.url)),
  name: '@rectifier/trainer: mpi engine',
  skipVariable: 'RECTIFIER_MPI',
  fallback: 'the local engine works without it',
  probe: () =>
    preprocesses('mpicc', ['-E', '-o', '/dev/null', '-x', 'c', '-'], '#include <mpi.h>\n') === 'ok'
      ? undefined
      : 'mpicc or mpi.h not found: apt-get install openmpi-bin libopenmpi-dev',
  built: '@rectifier/trainer: mpi engine built (train({ engine: "mpi" }) under mpirun/srun).',
});
