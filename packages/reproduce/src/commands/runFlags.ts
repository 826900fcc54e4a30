import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { activationKinds } from '@rectifier/activations';
import { modelNames } from '@rectifier/architectures';
import { initKinds } from '@rectifier/initializers';
import { type Command, Option } from 'commander';
import { backendChoices, type RunConfigInput, runConfigSchema } from '../config';
import { UsageError } from '../errors';
import { cpuBase } from '../presets/bases';
import { variantConfig } from '../presets/experiment';
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
  [
    '--pca-lighting <std>',
    'pcaLighting',
    'number',
    () => "AlexNet colour altering's std (0.1; 0: off; default on at paper scale, off at cpu)",
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

/** `--lr` → `lr`, `--max-steps` → `maxSteps`: the key commander stores a flag's value under. */
const optionName = (flag: string) =>
  flag
    .split(' ')[0]
    .slice(2)
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The config keys the override flags set (flags not given are left out). Each value is checked
 * here against its key's schema, so a bad flag is blamed on the flag — not on the config file
 * or preset it overrides — and `--lr abc` says it is not a number.
 */
export function overridesOf(opts: Record<string, unknown>): RunConfigInput {
  const out: Record<string, unknown> = {};
  for (const [flag, key, kind] of overrideFlags) {
    const v = opts[optionName(flag)];
    if (v === undefined) continue;
    const name = flag.split(' ')[0];
    const value = kind === 'number' ? Number(v) : v;
    if (kind === 'number' && (String(v).trim() === '' || !Number.isFinite(value))) {
      throw new UsageError(
        `${name}: ${JSON.stringify(v)} is not a number (config key \`${key}\`). Received: ${name} ${v}`,
      );
    }
    const checked = runConfigSchema.shape[key].safeParse(value);
    if (!checked.success) {
      const why = checked.error.issues.map((i) => i.message).join('; ');
      throw new UsageError(
        `${name}: \`${key}\`: ${why}. Received: ${key}=${JSON.stringify(value)}`,
      );
    }
    out[key] = value;
  }
  return out as RunConfigInput;
}

export function addOverrides(cmd: Command): Command {
  for (const [flag, , , help] of overrideFlags) cmd.option(flag, help());
  cmd.option(
    '--force-devices',
    `allow --devices above ${DEVICES_PER_CORE} × the cores (each device is a worker process)`,
  );
  return cmd;
}

/**
 * A folder flag (`--run-dir`, `--out`) naming an existing file, or a path under one, is a usage
 * error (exit 2) before any work, instead of a raw ENOTDIR once the results are ready.
 */
export function checkFolderFlag(flag: string, path: string): void {
  let at = resolve(path);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  if (existsSync(at) && !statSync(at).isDirectory()) {
    const where = at === resolve(path) ? `${path} is a file` : `${path} lies under ${at}, a file`;
    throw new UsageError(
      `${flag} ${path}: ${where}, not a folder. Give a new or existing folder (e.g. ${flag} ${path}-out).`,
    );
  }
}

/** Worker processes per core above which `--devices` is refused unless `--force-devices`. */
export const DEVICES_PER_CORE = 4;

/**
 * Each device is a worker process holding a full replica of the net: far more of them than
 * cores only thrash the machine (and `--devices 1000` would start 1000 Node processes), so more
 * than {@link DEVICES_PER_CORE} × the cores is refused unless forced. Checked before any work.
 */
export function checkDevices(devices: number, force: boolean | undefined): void {
  const cores = availableParallelism();
  const limit = DEVICES_PER_CORE * cores;
  if (devices > limit && force !== true) {
    throw new UsageError(
      `--devices ${devices} is more than ${DEVICES_PER_CORE} × the ${cores} core(s) of this machine (${limit}): every device is a worker process with its own copy of the net. Use --devices ${limit} or fewer, or add --force-devices to start ${devices} workers anyway.`,
    );
  }
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
  return variantConfig(e, v, scale);
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
