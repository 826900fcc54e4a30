import type { Command } from 'commander';
import { resumeRun, resumeStep } from '../run';
import { type Io, printJson, withExample } from './io';

export function resumeCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('resume <runDir>')
      .description('continue an interrupted run from its newest checkpoint')
      .option('--json', 'print the summary as JSON only')
      .action(async (runDir: string, o) => {
        io.err(`resuming ${runDir} from step ${resumeStep(runDir)}\n`);
        const summary = await resumeRun(runDir, { handleSigint: true });
        if (o.json) printJson(io, { runDir, ...summary });
        else io.out(`finished ${runDir}: ${summary.steps} steps\n`);
      }),
    'rectifier resume runs/prelu',
  );
}
