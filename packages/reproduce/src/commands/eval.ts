import { type Command, Option } from 'commander';
import { backendChoices, protocolFlagNames } from '../config';
import { UsageError } from '../errors';
import { evaluateRuns } from '../evaluate';
import { ensureBackend } from '../run';
import { ResultsNotSavedError, saveEvalResults } from '../storedResults';
import { type Io, printJson, withExample } from './io';

export function evalCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('eval <runs...>')
      .description(
        'test runs (run directories or checkpoint files) on their validation split; several → their ensemble (Table 7)',
      )
      .addOption(
        new Option('--protocol <name>', 'test protocol')
          .choices(protocolFlagNames)
          .default('center'),
      )
      .option(
        '--scales <list>',
        "dense / multi-scale shorter sides, comma-separated (default: the run's)",
      )
      .option(
        '--checkpoint <which>',
        'last (default), best or a checkpoint file name, for run directories',
      )
      .option('--data <path>', 'another data set with the same classes')
      .option('--val-limit <n>', 'use only the first n validation images')
      .addOption(
        new Option('--backend <name>', "the backend to test on (default: the run's)").choices(
          backendChoices,
        ),
      )
      .option('--json', 'print JSON only')
      .action(async (runDirs: string[], o) => {
        const scales = o.scales === undefined ? undefined : String(o.scales).split(',').map(Number);
        if (scales?.some((s) => !Number.isInteger(s) || s <= 0)) {
          throw new UsageError(
            `--scales must be positive integers, comma-separated. Received: ${o.scales}`,
          );
        }
        // Chosen first, it is the one the runs' models load on (one backend per process).
        if (o.backend !== undefined) await ensureBackend({ backend: o.backend }, (m) => io.err(m));
        const results = await evaluateRuns(runDirs, o.protocol, {
          scales,
          checkpoint: o.checkpoint,
          data: o.data,
          valLimit: o.valLimit === undefined ? undefined : Number(o.valLimit),
        });
        if (o.json) printJson(io, results);
        else
          for (const r of results)
            io.out(
              `${r.label}: top-1 error ${(100 * r.top1Error).toFixed(2)}%, top-5 error ${(100 * r.top5Error).toFixed(2)}% (${r.images} images)\n`,
            );
        if (runDirs.length > 1) return; // an ensemble's results belong to no one run
        try {
          saveEvalResults(results[0].runs[0], results); // the run dir, also when given a checkpoint file
        } catch (err) {
          // The numbers are right and printed: a read-only run directory only loses the copy.
          if (!(err instanceof ResultsNotSavedError)) throw err;
          io.err(`warning: ${err.message} The results above were printed only.\n`);
        }
      }),
    'rectifier eval runs/prelu --protocol ten-view --json\n  rectifier eval runs/prelu/checkpoints/step-00000056.ckpt --protocol center',
  );
}
