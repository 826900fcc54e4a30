/**
 * A small training run in its own process, for the SIGKILL tests (kill.test.ts):
 *
 *   tsx --conditions=@rectifier/source runChild.ts <backend> <runDir> <train|resume> [<phase>:<step>]
 *
 * Prints `step N` after every step (the parent times its kills on these lines) and, at the end,
 * `summary <json>`. With `<phase>:<step>` (phase = partial | written | renamed) it SIGKILLs itself
 * at that point of that checkpoint's write: `partial` = half the bytes in the temporary file.
 */
import { selectBackend } from '@rectifier/backend';
import { resume, train } from '../index';
import { killRunOptions } from './killRunOptions';

const [backend, runDir, mode, killAt] = process.argv.slice(2);
await selectBackend({ prefer: backend as 'wasm' | 'cpu' });
const options = killRunOptions({
  afterStep: (s) => process.stdout.write(`step ${s}\n`),
  checkpoint: (phase, step) => {
    if (killAt === `${phase}:${step}`) process.kill(process.pid, 'SIGKILL');
  },
});
const summary =
  mode === 'train' ? await train({ ...options, runDir }) : await resume(runDir, options);
process.stdout.write(`summary ${JSON.stringify(summary)}\n`);
