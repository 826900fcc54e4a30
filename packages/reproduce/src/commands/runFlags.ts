import { availableParallelism } from 'node:os';
import { activationKinds } from '@rectifier/activations';
import { modelNames } from '@rectifier/architectures';
import { initKinds } from '@rectifier/initializers';
import { type Command, Option } from 'commander';
import { backendChoices, type RunConfigInput } from '../config';
import { UsageError } from '../errors';
import { cpuBase } from '../presets/bases';
import { experimentNamed } from '../reproduce';
import type { Io } from './io';

/** Flags shared by `train` and `reproduce` that override a preset's or config's values. */
const overrideFlags: [
  flag: string,
  key: keyof RunConfigInput,
  kind: 'number' | 'string',
  help: () => string,
][] = [
  // Help texts are functions: the model list includes models registered after this module loads.
  ['--model <name>', 'model', 'string', () => `model: ${modelNames.join(', ')} (default small)`],
  [
    '--activation <kind>',
    'activation',
    'string',
    () => `${activationKinds.join(', ')} (default prelu)`,
  ],
  ['--init <kind>', 'init', 'string', () => `${initKinds.join(', ')} (default msra-fan-out)`],
  [
    '--epochs <n>',
    'epochs',
    'number',
    () =>
      'epochs (cpu scale: 2 on the bundled subset, 4 on a --data folder; presets set their own)',
  ],
  [
    '--max-steps <n>',
    'maxSteps',
    'number',
    () => 'at most n optimizer steps, in whole epochs (one shortened epoch when n < an epoch)',
  ],
  [
    '--batch-size <n>',
    'batchSize',
    'number',
    () => 'mini-batch (default 32 at cpu scale, 128 at paper scale)',
  ],
  ['--lr <rate>', 'lr', 'number', () => 'base learning rate (default 0.01, Sec. 3)'],
  [
    '--input-scale <s>',
    'inputScale',
    'number',
    () => 'multiply inputs by s after the mean (default 1; cpu presets 0.25, 0.0625 or 1)',
  ],
  [
    '--seed <n>',
    'seed',
    'number',
    () => 'seed of weights, shuffling, augmentation and dropout (default 0; 0 reproduces too)',
  ],
  [
    '--checkpoint-every <steps>',
    'checkpointEvery',
    'number',
    () => 'checkpoint every n steps (default: every epoch)',
  ],
  [
    '--width <m>',
    'widthMultiplier',
    'number',
    () => 'conv width multiplier (presets set their own)',
  ],
  ['--fc-units <n>', 'fcUnits', 'number', () => 'units of fc1 and fc2 (the paper: 4096)'],
  [
    '--data <path>',
    'data',
    'string',
    () => 'data: "bundled" (default), a Fashion-MNIST IDX, ILSVRC or ImageFolder folder',
  ],
  ['--train-limit <n>', 'trainLimit', 'number', () => 'use only the first n training images'],
  ['--val-limit <n>', 'valLimit', 'number', () => 'use only the first n validation images'],
  ['--backend <name>', 'backend', 'string', () => `${backendChoices.join(', ')} (default auto)`],
  ['--threads <n>', 'threads', 'number', () => 'threads of oneDNN or wasm (default: every core)'],
  ['--devices <n>', 'devices', 'number', () => 'worker processes, one per device (default 1)'],
  ['--parallel <mode>', 'parallel', 'string', () => "hybrid (default, the paper's) or data"],
  [
    '--engine <name>',
    'engine',
    'string',
    () => 'local (default) or mpi (default under mpirun/srun)',
  ],
];

/** The config keys the override flags set (flags not given are left out). */
export function overridesOf(opts: Record<string, unknown>): RunConfigInput {
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

export function addOverrides(cmd: Command): Command {
  for (const [flag, , , help] of overrideFlags) cmd.option(flag, help());
  return cmd;
}

export const scaleOption = () =>
  new Option(
    '--scale <scale>',
    'cpu (Fashion-MNIST, CPU-scale variants) or paper (ImageNet, the paper verbatim)',
  )
    .choices(['cpu', 'paper'])
    .default('cpu');

/** `--collective-timeout`, of `train` and `resume` (not part of the run's config). */
export const collectiveTimeoutOption = () =>
  new Option(
    '--collective-timeout <seconds>',
    'multi-device: seconds to wait for a worker before declaring it hung (default: 10 × the slowest step, at least 60)',
  );

/** The flag's value in ms, or undefined when absent; a usage error names the flag. */
export function collectiveTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `--collective-timeout must be a positive number of seconds. Received: ${JSON.stringify(value)}`,
    );
  }
  return seconds * 1000;
}

/**
 * What `train` starts from without a preset: at cpu scale the cpu presets' recipe (cpuBase: the
 * small net at half width, fc 1024, 112 crops, lr 1e-2 → 1e-4 on inputs × 1/4, batch 32), which
 * trains, where the schema's paper-scale values (full width, fc 4096, lr 1e-2 on raw pixels)
 * diverge within 5 steps on Fashion-MNIST; at paper scale the schema's defaults.
 */
export function scaleDefaults(scale: 'cpu' | 'paper'): RunConfigInput {
  return scale === 'cpu' ? { ...cpuBase } : { scale };
}

/** `table2/relu` → preset config; `table2` alone only if the experiment has one variant. */
export function presetConfig(preset: string, scale: 'cpu' | 'paper'): RunConfigInput {
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

/**
 * More oneDNN / wasm threads than cores oversubscribe the machine: each step waits for the
 * slowest thread, so it runs slower, not faster. Said once, before the run starts.
 */
export function warnThreads(io: Io, threads: number | undefined): void {
  const cores = availableParallelism();
  if (threads !== undefined && threads > cores) {
    io.err(
      `warning: --threads ${threads} is more than the ${cores} core(s) of this machine; extra threads wait on each other and slow every step down. Use --threads ${cores} or fewer.\n`,
    );
  }
}
