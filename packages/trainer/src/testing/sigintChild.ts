/**
 * The Ctrl-C test's run (trainLoop.test.ts), with SIGINT wired to `train`'s `signal` as an app
 * wires it:
 *
 *   tsx --conditions=@rectifier/source sigintChild.ts <runDir> <train|resume>
 *
 * Prints `step N` after every step; when interrupted, `interrupted <step> <checkpoint>` and
 * exits 130 (the shell's code for SIGINT); at the end, `summary <json>`.
 */
import { selectBackend } from '@rectifier/backend';
import { resume, TrainingInterruptedError, train } from '../index';
import { killRunOptions } from './killRunOptions';

const [runDir, mode] = process.argv.slice(2);
await selectBackend({ prefer: 'cpu' });
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const options = {
  ...killRunOptions({ afterStep: (s) => process.stdout.write(`step ${s}\n`) }),
  signal: controller.signal,
};
try {
  const summary =
    mode === 'train' ? await train({ ...options, runDir }) : await resume(runDir, options);
  process.stdout.write(`summary ${JSON.stringify(summary)}\n`);
} catch (e) {
  if (!(e instanceof TrainingInterruptedError)) throw e;
  process.stdout.write(`interrupted ${e.step} ${e.checkpoint}\n`);
  process.exitCode = 130;
}
