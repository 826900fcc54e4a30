import type { Command } from 'commander';
import { exportRun } from '../exportModel';
import { type Io, printJson, withExample } from './io';
import { checkFolderFlag } from './runFlags';

export function exportCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('export <runDir>')
      .description('write the trained model in tfjs LayersModel format (model.json + weights.bin)')
      .requiredOption('--out <dir>', 'output folder')
      .option('--checkpoint <which>', 'last or best', 'last')
      .option('--json', 'print JSON only')
      .action(async (runDir: string, o) => {
        checkFolderFlag('--out', o.out);
        const r = await exportRun(runDir, o.out, o.checkpoint);
        if (o.json) printJson(io, r);
        else
          io.out(
            `wrote ${r.modelJson} and ${r.weights} (${r.bytes} bytes, from ${r.checkpoint})\n`,
          );
      }),
    'rectifier export runs/prelu --out models/prelu',
  );
}
