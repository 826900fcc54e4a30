import { join } from 'node:path';
import type { Command } from 'commander';
import { parseRunConfig, type RunConfigInput, readConfigFile } from '../config';
import { trainRun } from '../run';
import { type Io, printJson, withExample } from './io';
import {
  addOverrides,
  checkDevices,
  checkFolderFlag,
  collectiveTimeoutMs,
  collectiveTimeoutOption,
  overridesOf,
  presetConfig,
  scaleDefaults,
  scaleOption,
  warnThreads,
} from './runFlags';

export function trainCommand(program: Command, io: Io): void {
  withExample(
    addOverrides(
      program
        .command('train')
        .description('train one run (a preset variant or a config file, flags override)')
        .option(
          '--preset <experiment/variant>',
          'e.g. table2/prelu (see `rectifier reproduce --list`)',
        )
        .option('--config <file>', 'JSON or YAML config (keys as in docs/packages/reproduce.md)')
        .addOption(scaleOption())
        .addOption(collectiveTimeoutOption())
        .option('--run-dir <dir>', 'run directory (default runs/train-<time>)')
        .option('--json', 'print the summary as JSON only'),
    ).action(async (o) => {
      const file = o.config ? readConfigFile(o.config) : {};
      const base: RunConfigInput = o.preset
        ? presetConfig(o.preset, o.scale)
        : scaleDefaults(file.scale === 'paper' || file.scale === 'cpu' ? file.scale : o.scale);
      const source = o.config ? `${o.config}` : o.preset ? `preset ${o.preset}` : 'flags';
      const config = parseRunConfig({ ...base, ...file, ...overridesOf(o) }, source);
      warnThreads(io, config.threads);
      checkDevices(config.devices, o.forceDevices);
      const runDir =
        o.runDir ?? join('runs', `train-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      checkFolderFlag('--run-dir', runDir);
      const summary = await trainRun(config, runDir, {
        handleSigint: true,
        collectiveTimeoutMs: collectiveTimeoutMs(o.collectiveTimeout),
        warn: (m) => io.err(m),
      });
      if (o.json) printJson(io, { runDir, ...summary });
      else
        io.out(
          `trained ${runDir}: ${summary.steps} steps, val top-1 error ${summary.valTop1Error ?? '—'}\n`,
        );
    }),
    'rectifier train --preset table2/prelu --epochs 1 --run-dir runs/prelu',
  );
}
