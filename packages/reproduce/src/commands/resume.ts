import type { Command } from 'commander';
import { resumeRun, resumeStep } from '../run';
import { type Io, printJson, withExample } from './io';
import { collectiveTimeoutMs, collectiveTimeoutOption } from './runFlags';

export function resumeCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('resume <runDir>')
      .description('continue an interrupted run from its newest checkpoint')
      .option('--json', 'print the summary as JSON only')
      .addOption(collectiveTimeoutOption())
      .action(async (runDir: string, o) => {
        const timeoutMs = collectiveTimeoutMs(o.collectiveTimeout);
        io.err(`resuming ${runDir} from step ${resumeStep(runDir)}\n`);
        const summary = await resumeRun(runDir, {
          handleSigint: true,
          collectiveTimeoutMs: timeoutMs,
          warn: (m) => io.err(m),
        });
        if (o.json) printJson(io, { runDir, ...summary });
        else io.out(`finished ${runDir}: ${summary.steps} steps\n`);
      }),
    'rectifier resume runs/prelu',
  );
}
