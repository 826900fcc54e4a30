import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  describeArchitecture,
  formatSummary,
  type ModelName,
  modelNames,
  summarize,
} from '@rectifier/architectures';
import * as tf from '@tensorflow/tfjs';
import { Command, CommanderError, Option } from 'commander';
import { parseRunConfig, protocolFlagNames, type RunConfigInput, readConfigFile } from './config';
import { openDataset } from './datasets';
import { ReproduceError, UsageError } from './errors';
import { evaluateRuns, saveEvalResults } from './evaluate';
import { exportRun } from './exportModel';
import { datasetStats } from './model';
import { experiments } from './presets';
import { formatComparison, writeReport } from './report';
import { experimentConfigs, experimentNamed, reproduce } from './reproduce';
import { ensureBackend, resumeRun, trainRun } from './run';

/** Where the CLI writes: replaced in tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Flags shared by `train` and `reproduce` that override a preset's or config's values. */
const overrideFlags: [
  flag: string,
  key: keyof RunConfigInput,
  kind: 'number' | 'string',
  help: string,
][] = [
  ['--model <name>', 'model', 'string', `model: ${modelNames.join(', ')} (default small)`],
  [
    '--activation <kind>',
    'activation',
    'string',
    'relu, lrelu, prelu, prelu-shared (default prelu)',
  ],
  [
    '--init <kind>',
    'init',
    'string',
    'msra-fan-in, msra-fan-out, xavier, gaussian (default msra-fan-out)',
  ],
  ['--epochs <n>', 'epochs', 'number', 'epochs (default 1; presets set their own)'],
  [
    '--max-steps <n>',
    'maxSteps',
    'number',
    'at most n optimizer steps, in whole epochs (one shortened epoch when n < an epoch)',
  ],
  [
    '--batch-size <n>',
    'batchSize',
    'number',
    'mini-batch (default 32 at cpu scale, 128 at paper scale)',
  ],
  ['--lr <rate>', 'lr', 'number', 'base learning rate (default 0.01, Sec. 3)'],
  [
    '--seed <n>',
    'seed',
    'number',
    'seed of weights, shuffling, augmentation and dropout (default 0; 0 reproduces too)',
  ],
  [
    '--checkpoint-every <steps>',
    'checkpointEvery',
    'number',
    'checkpoint every n steps (default: every epoch)',
  ],
  ['--width <m>', 'widthMultiplier', 'number', 'conv width multiplier (presets set their own)'],
  ['--fc-units <n>', 'fcUnits', 'number', 'units of fc1 and fc2 (the paper: 4096)'],
  [
    '--data <path>',
    'data',
    'string',
    'data: "bundled" (default), a Fashion-MNIST IDX, ILSVRC or ImageFolder folder',
  ],
  ['--train-limit <n>', 'trainLimit', 'number', 'use only the first n training images'],
  ['--val-limit <n>', 'valLimit', 'number', 'use only the first n validation images'],
  ['--backend <name>', 'backend', 'string', 'auto (default), tensorflow, onednn, wasm, cpu'],
  ['--threads <n>', 'threads', 'number', 'threads of oneDNN or wasm (default 2)'],
  ['--devices <n>', 'devices', 'number', 'worker processes, one per device (default 1)'],
  ['--parallel <mode>', 'parallel', 'string', "hybrid (default, the paper's) or data"],
  ['--engine <name>', 'engine', 'string', 'local (default) or mpi (default under mpirun/srun)'],
];

function overridesOf(opts: Record<string, unknown>): RunConfigInput {
  const out: Record<string, unknown> = {};
  for (const [flag, key, kind] of overrideFlags) {
    const name = flag
      .split(' ')[0]
      .slice(2)
      .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = opts[name];
    if (v === undefined) continue;
    out[key] = kind === 'number' ? Number(v) : v;
  }
  return out as RunConfigInput;
}

function addOverrides(cmd: Command): Command {
  for (const [flag, , , help] of overrideFlags) cmd.option(flag, help);
  return cmd;
}

const scaleOption = () =>
  new Option(
    '--scale <scale>',
    'cpu (Fashion-MNIST, CPU-scale variants) or paper (ImageNet, the paper verbatim)',
  )
    .choices(['cpu', 'paper'])
    .default('cpu');

/** `table2/relu` → preset config; `table2` alone only if the experiment has one variant. */
function presetConfig(preset: string, scale: 'cpu' | 'paper'): RunConfigInput {
  const [name, variant] = preset.split('/');
  const e = experimentNamed(name);
  const v =
    variant === undefined
      ? e.variants.length === 1
        ? e.variants[0]
        : undefined
      : e.variants.find((x) => x.name === variant);
  if (v === undefined) {
    throw new UsageError(
      `--preset ${preset}: choose a variant: ${e.variants.map((x) => `${e.name}/${x.name}`).join(', ')}`,
    );
  }
  return { ...e.scales[scale], ...v.config, experiment: e.name, variant: v.name };
}

const json = (io: Io, value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);

/** Builds the `rectifier` command tree; `io` receives stdout/stderr text. */
export function buildProgram(io: Io = defaultIo): Command {
  const program = new Command('rectifier')
    .description(
      'Reproduce "Delving Deep into Rectifiers" (He et al. 2015): train, test, export and report PReLU nets.',
    )
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  const example = (cmd: Command, text: string) =>
    cmd.addHelpText('after', `\nExample:\n  ${text}\n`);

  example(
    program
      .command('info')
      .description('backends available, the one chosen, device, threads, versions')
      .option('--backend <name>', 'auto, tensorflow, onednn, wasm, cpu', 'auto')
      .option('--json', 'print JSON only')
      .action(async (o) => {
        const info = await ensureBackend({ backend: o.backend, threads: 2 });
        const value = {
          backend: info,
          chosen: tf.getBackend(),
          cores: availableParallelism(),
          versions: { node: process.version, tfjs: tf.version.tfjs, reproduce: '0.0.0' },
        };
        if (o.json) json(io, value);
        else
          io.out(
            `backend ${info.name} (${info.package} ${info.version}, ${info.device}, ${info.threads} thread(s))\n` +
              `training kernels: ${info.trainingKernels.join(', ') || 'native'}\ncores ${value.cores}\nnode ${process.version}, tfjs ${tf.version.tfjs}\n`,
          );
      }),
    'rectifier info --json',
  );

  example(
    program
      .command('summary <model>')
      .description("layers, parameters and multiply-adds (Table 3's complexity row)")
      .option('--input <n>', 'square input side', '224')
      .option('--activation <kind>', 'relu, lrelu, prelu, prelu-shared', 'prelu')
      .option('--width <m>', 'width multiplier', '1')
      .option('--classes <n>', 'classes', '1000')
      .option('--json', 'print JSON only')
      .action((model: string, o) => {
        if (!modelNames.includes(model as ModelName)) {
          throw new UsageError(
            `summary: unknown model ${JSON.stringify(model)}; use one of ${modelNames.join(', ')}.`,
          );
        }
        const spec = describeArchitecture(model as ModelName, {
          activation: o.activation,
          widthMultiplier: Number(o.width),
          numClasses: Number(o.classes),
        });
        const s = summarize(spec, { inputSize: Number(o.input) });
        if (o.json) json(io, s);
        else io.out(`${formatSummary(s)}\n`);
      }),
    'rectifier summary A --input 224',
  );

  example(
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
        .option('--run-dir <dir>', 'run directory (default runs/train-<time>)')
        .option('--json', 'print the summary as JSON only'),
    ).action(async (o) => {
      const base: RunConfigInput = o.preset ? presetConfig(o.preset, o.scale) : { scale: o.scale };
      const file = o.config ? readConfigFile(o.config) : {};
      const source = o.config ? `${o.config}` : o.preset ? `preset ${o.preset}` : 'flags';
      const config = parseRunConfig({ ...base, ...file, ...overridesOf(o) }, source);
      const runDir =
        o.runDir ?? join('runs', `train-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const summary = await trainRun(config, runDir, { handleSigint: true });
      if (o.json) json(io, { runDir, ...summary });
      else
        io.out(
          `trained ${runDir}: ${summary.steps} steps, val top-1 error ${summary.valTop1Error ?? '—'}\n`,
        );
    }),
    'rectifier train --preset table2/prelu --epochs 1 --run-dir runs/prelu',
  );

  example(
    program
      .command('resume <runDir>')
      .description('continue an interrupted run from its newest checkpoint')
      .option('--json', 'print the summary as JSON only')
      .action(async (runDir: string, o) => {
        const summary = await resumeRun(runDir, { handleSigint: true });
        if (o.json) json(io, { runDir, ...summary });
        else io.out(`finished ${runDir}: ${summary.steps} steps\n`);
      }),
    'rectifier resume runs/prelu',
  );

  example(
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
      .option('--json', 'print JSON only')
      .action(async (runDirs: string[], o) => {
        const scales = o.scales === undefined ? undefined : String(o.scales).split(',').map(Number);
        if (scales?.some((s) => !Number.isInteger(s) || s <= 0)) {
          throw new UsageError(
            `--scales must be positive integers, comma-separated. Received: ${o.scales}`,
          );
        }
        const results = await evaluateRuns(runDirs, o.protocol, {
          scales,
          checkpoint: o.checkpoint,
          data: o.data,
          valLimit: o.valLimit === undefined ? undefined : Number(o.valLimit),
        });
        if (runDirs.length === 1) saveEvalResults(results[0].runs[0], results); // the run dir, also when given a checkpoint file
        if (o.json) json(io, results);
        else
          for (const r of results)
            io.out(
              `${r.label}: top-1 error ${(100 * r.top1Error).toFixed(2)}%, top-5 error ${(100 * r.top5Error).toFixed(2)}% (${r.images} images)\n`,
            );
      }),
    'rectifier eval runs/prelu --protocol ten-view --json\n  rectifier eval runs/prelu/checkpoints/step-00000056.ckpt --protocol center',
  );

  example(
    program
      .command('export <runDir>')
      .description('write the trained model in tfjs LayersModel format (model.json + weights.bin)')
      .requiredOption('--out <dir>', 'output folder')
      .option('--checkpoint <which>', 'last or best', 'last')
      .option('--json', 'print JSON only')
      .action(async (runDir: string, o) => {
        const r = await exportRun(runDir, o.out, o.checkpoint);
        if (o.json) json(io, r);
        else
          io.out(
            `wrote ${r.modelJson} and ${r.weights} (${r.bytes} bytes, from ${r.checkpoint})\n`,
          );
      }),
    'rectifier export runs/prelu --out models/prelu',
  );

  example(
    program
      .command('stats')
      .description('mean image and colour PCA of a training set (cached)')
      .option('--data <path>', 'data set (default: bundled)', 'bundled')
      .option('--resize <n>', 'shorter side', '128')
      .option('--crop <n>', 'centre crop', '112')
      .option('--json', 'print JSON only')
      .action(async (o) => {
        const c = parseRunConfig(
          { data: o.data, resize: Number(o.resize), crop: Number(o.crop) },
          'stats',
        );
        const data = openDataset(c.data);
        const s = await datasetStats(data, c);
        const value = {
          data: data.name,
          count: s.count,
          height: s.height,
          width: s.width,
          channelMean: s.channelMean,
          eigenvalues: s.eigenvalues,
          eigenvectors: s.eigenvectors,
        };
        if (o.json) json(io, value);
        else
          io.out(
            `${data.name}: ${s.count} images at ${s.height}×${s.width}\nchannel mean ${s.channelMean.map((v) => v.toFixed(3)).join(', ')}\nPCA eigenvalues ${s.eigenvalues.map((v) => v.toFixed(3)).join(', ')}\n`,
          );
      }),
    'rectifier stats --data /usr/share/datasets/fashion-mnist',
  );

  example(
    addOverrides(
      program
        .command('reproduce [experiment]')
        .description('train + test + report one experiment of the paper')
        .addOption(scaleOption())
        .option('--seeds <n>', 'seeds per variant (mean ± std in the report)', '1')
        .option('--out <dir>', 'where runs and reports go', 'runs')
        .option('--list', 'list the experiments')
        .option('--json', 'print JSON only'),
    ).action(async (name: string | undefined, o) => {
      if (o.list) {
        const list = Object.values(experiments).map((e) => ({
          name: e.name,
          source: e.source,
          title: e.title,
          variants: e.variants.map((v) => v.name),
        }));
        if (o.json) json(io, list);
        else
          for (const e of list)
            io.out(`${e.name.padEnd(8)} ${e.source}: ${e.title} (${e.variants.join(', ')})\n`);
        return;
      }
      if (name === undefined)
        throw new UsageError('reproduce: name an experiment (see `rectifier reproduce --list`).');
      const seeds = Number(o.seeds);
      experimentConfigs(
        experimentNamed(name),
        o.scale,
        Number.isInteger(seeds) && seeds > 0 ? seeds : 1,
        overridesOf(o),
      );
      const r = await reproduce(name, {
        scale: o.scale,
        seeds,
        out: o.out,
        overrides: overridesOf(o),
        run: { handleSigint: true },
        log: (l) => io.err(`${l}\n`),
      });
      if (o.json) {
        json(io, {
          experiment: r.experiment,
          scale: r.scale,
          runs: r.runs,
          rows: r.report.rows,
          report: { markdown: r.report.mdPath, html: r.report.htmlPath },
        });
      } else {
        io.out(
          `\n${experimentNamed(name).source}: ours beside the paper's (error %, ${r.scale} scale)\n${r.comparison}\n\nreport: ${r.report.mdPath}\nreport: ${r.report.htmlPath}\n`,
        );
      }
    }),
    'rectifier reproduce table2 --scale cpu',
  );

  example(
    program
      .command('report <runDirs...>')
      .description('write report.md and a self-contained report.html for runs')
      .option('--out <dir>', 'output folder', 'report')
      .option('--json', 'print JSON only')
      .action(async (runDirs: string[], o) => {
        const r = await writeReport(runDirs, o.out);
        if (o.json)
          json(io, { rows: r.rows, charts: r.charts, markdown: r.mdPath, html: r.htmlPath });
        else io.out(`${formatComparison(r.rows)}\n\nreport: ${r.mdPath}\nreport: ${r.htmlPath}\n`);
      }),
    'rectifier report runs/table2-cpu/*/seed-0 --out report',
  );
  return program;
}

const usageErrors = new Set([
  'TrainerArgumentError',
  'EvaluationArgumentError',
  'ScaleTooSmallError',
  'RunDirectoryError',
  'DataArgumentError',
  'DatasetLayoutError',
  'ArchitecturesArgumentError',
]);

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code: 0 success,
 * 1 failure, 2 bad usage. With --json, an error is also printed as `{ "error": … }` on stdout.
 */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = buildProgram(io);
  const wantsJson = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.exitCode === 0
      )
        return 0;
      if (wantsJson) json(io, { error: { name: 'UsageError', message: err.message, exitCode: 2 } });
      return 2;
    }
    const e = err as Error;
    const code = err instanceof ReproduceError ? err.exitCode : usageErrors.has(e.name) ? 2 : 1;
    io.err(`${e.name === 'UsageError' ? 'error' : e.name}: ${e.message}\n`);
    if (wantsJson) json(io, { error: { name: e.name, message: e.message, exitCode: code } });
    return code;
  }
}
