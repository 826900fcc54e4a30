import type { Command } from 'commander';
import { formatComparison, formatVerdicts, writeReport } from '../report';
import { type Io, printJson, withExample } from './io';
import { checkFolderFlag } from './runFlags';

export function reportCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('report <runDirs...>')
      .description('write report.md and a self-contained report.html for runs')
      .option('--out <dir>', 'output folder', 'report')
      .option('--json', 'print JSON only')
      .action(async (runDirs: string[], o) => {
        checkFolderFlag('--out', o.out);
        const r = await writeReport(runDirs, o.out);
        for (const w of r.warnings) io.err(`warning: ${w}\n`);
        if (o.json)
          printJson(io, {
            rows: r.rows,
            verdicts: r.verdicts,
            warnings: r.warnings,
            charts: r.charts,
            markdown: r.mdPath,
            html: r.htmlPath,
          });
        else
          io.out(
            `${formatComparison(r.rows)}\n${formatVerdicts(r.verdicts)}\nreport: ${r.mdPath}\nreport: ${r.htmlPath}\n`,
          );
      }),
    'rectifier report runs/table2-cpu/*/seed-0 --out report',
  );
}
