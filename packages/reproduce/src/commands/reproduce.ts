import type { Command } from 'commander';
import { UsageError } from '../errors';
import { formatPlan, planExperiment } from '../plan';
import { experiments } from '../presets';
import { formatVerdicts } from '../report';
import { experimentConfigs, experimentNamed, reproduce } from '../reproduce';
import { type Io, printJson, withExample } from './io';
import {
  addOverrides,
  checkDevices,
  checkFolderFlag,
  overridesOf,
  scaleOption,
  warnThreads,
} from './runFlags';

export function reproduceCommand(program: Command, io: Io): void {
  withExample(
    addOverrides(
      program
        .command('reproduce [experiment]')
        .description('train + test + report one experiment of the paper')
        .addOption(scaleOption())
        .option('--seeds <n>', 'seeds per variant (mean ± std in the report)', '1')
        .option('--out <dir>', 'where runs and reports go', 'runs')
        .option(
          '--fresh',
          'runs in --out made with other settings: move them aside (<run>.replaced-<time>) and train anew instead of refusing',
        )
        .option('--list', 'list the experiments')
        .option(
          '--plan',
          'print every run it would make (resolved config, tests, images to process); train and write nothing',
        )
        .option('--json', 'print JSON only'),
    ).action(async (name: string | undefined, o) => {
      if (o.list) {
        const list = Object.values(experiments).map((e) => ({
          name: e.name,
          source: e.source,
          title: e.title,
          variants: e.variants.map((v) => v.name),
          runsOf: e.runsOf ?? null,
        }));
        if (o.json) printJson(io, list);
        else
          for (const e of list)
            io.out(
              `${e.name.padEnd(8)} ${e.source}: ${e.title} (${e.variants.join(', ')}${e.runsOf === null ? '' : `; ${e.runsOf}'s runs`})\n`,
            );
        return;
      }
      if (name === undefined)
        throw new UsageError('reproduce: name an experiment (see `rectifier reproduce --list`).');
      const seeds = Number(o.seeds);
      const overrides = overridesOf(o);
      if (o.plan) {
        const plan = planExperiment(name, { scale: o.scale, seeds, out: o.out, overrides });
        if (o.json) printJson(io, plan);
        else io.out(formatPlan(plan));
        return;
      }
      // Every run's config is checked before the first one trains.
      const configs = experimentConfigs(
        experimentNamed(name),
        o.scale,
        Number.isInteger(seeds) && seeds > 0 ? seeds : 1,
        overrides,
      );
      warnThreads(io, configs[0]?.threads);
      for (const c of configs) checkDevices(c.devices, o.forceDevices);
      checkFolderFlag('--out', o.out);
      const r = await reproduce(name, {
        scale: o.scale,
        seeds,
        out: o.out,
        overrides,
        fresh: o.fresh === true,
        run: { handleSigint: true },
        log: (l) => io.err(`${l}\n`),
      });
      if (o.json) {
        printJson(io, {
          experiment: r.experiment,
          scale: r.scale,
          runs: r.runs,
          rows: r.report.rows,
          verdicts: r.report.verdicts,
          report: { markdown: r.report.mdPath, html: r.report.htmlPath },
        });
      } else {
        for (const w of r.report.warnings) io.err(`warning: ${w}\n`);
        io.out(
          `\n${experimentNamed(name).source}: ours beside the paper's (error %, ${r.scale} scale)\n${r.comparison}\n\nreport: ${r.report.mdPath}\nreport: ${r.report.htmlPath}\n`,
        );
        // The verdicts come last: what a reader of the console sees at the end of a long run.
        io.out(formatVerdicts(r.report.verdicts));
      }
    }),
    'rectifier reproduce table2 --scale cpu',
  );
}
