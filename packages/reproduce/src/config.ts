import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { activationKinds } from '@rectifier/activations';
import { modelNames } from '@rectifier/architectures';
import type { BackendPreference } from '@rectifier/backend';
import { closestName } from '@rectifier/core';
import type { ProtocolName } from '@rectifier/evaluation';
import { initKinds } from '@rectifier/initializers';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors';

const positiveInt = () => z.number().int().positive();

/** `selectBackend`'s `prefer` values, as `--backend` and a config's `backend` take them. */
export const backendChoices = [
  'auto',
  'tensorflow',
  'webgpu',
  'onednn',
  'wasm',
  'cpu',
] as const satisfies readonly BackendPreference[];

/** Learning-rate schedules of @rectifier/trainer, as a config names them. */
export const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  /**
   * ÷10 at the given points: epochs (`unit: epoch`; Fig. 4 switched at 20 and 65 of 80), or
   * fractions of the run's `epochs` (`unit: run`, each in (0, 1): the cpu presets' [0.5, 0.8], so
   * the same preset switches at the same share of a 2-epoch demo and a 4-epoch full-data run).
   * A point between epochs switches at that step of the epoch.
   */
  z
    .strictObject({
      kind: z.literal('step'),
      at: z.array(z.number().positive()).min(1),
      unit: z.enum(['epoch', 'run']).default('epoch'),
      factor: z.number().positive().lt(1).default(0.1),
    })
    .refine((s) => s.at.every((x, i) => i === 0 || x > s.at[i - 1]), {
      error: 'must be increasing',
      path: ['at'],
    })
    .refine((s) => s.unit === 'epoch' || s.at.every((x) => x < 1), {
      error: 'with unit "run", every point is a fraction of the run in (0, 1), e.g. [0.5, 0.8]',
      path: ['at'],
    }),
  /** ÷10 when the validation error stops improving (Sec. 3 "switched when the error plateaus"). */
  z.strictObject({
    kind: z.literal('plateau'),
    patience: positiveInt(),
    factor: z.number().positive().lt(1).default(0.1),
    min: z.number().positive().default(1e-4),
  }),
]);

/**
 * The protocol spellings users type (`--protocol`, a config's `protocols`; also the keys of
 * stored results, `eval/ten-view.json`) → @rectifier/evaluation's protocol names. The one place
 * the two are mapped.
 */
export const protocolFlags = {
  center: 'center',
  'ten-view': 'tenView',
  dense: 'dense',
  'multi-scale': 'multiScale',
} as const satisfies Record<string, ProtocolName>;
export type ProtocolFlag = keyof typeof protocolFlags;
export const protocolFlagNames = Object.keys(protocolFlags) as ProtocolFlag[];

/**
 * One training run, fully resolved: what a preset, a config file (JSON or YAML) and the
 * command-line flags produce, in that order of precedence. Stored in the run directory (the
 * trainer's config.json, `run.meta.rectifier`) so `resume`, `eval`, `export` and `report`
 * rebuild the same model and data from it.
 */
export const runConfigSchema = z.strictObject({
  /** Experiment and variant names (reports group runs by them). */
  experiment: z.string().min(1).default('custom'),
  variant: z.string().min(1).default('default'),
  scale: z.enum(['cpu', 'paper']).default('cpu'),
  /** A model of @rectifier/architectures' registry (`modelNames`, `registerModel` adds to it). */
  model: z
    .string()
    .refine((name) => modelNames.includes(name), {
      error: () => `must be one of ${modelNames.join(', ')}`,
    })
    .default('small'),
  activation: z.enum(activationKinds).default('prelu'),
  /** LReLU's fixed slope; PReLU's initial slope (Sec. 2.1: 0.25). */
  slope: z.number().min(0).lt(1).default(0.25),
  init: z.enum(initKinds).default('msra-fan-out'),
  widthMultiplier: z.number().positive().max(4).default(1),
  fcUnits: positiveInt().default(4096),
  /** Extra conv 2×2, 256 layers of the deep model (Sec. 2.2: up to 16, 30 layers). */
  extraLayers: z.number().int().min(0).max(16).default(16),
  /**
   * Epochs, or one count per kind of data set: `{ bundled, full }` resolves to `bundled` on the
   * bundled subset (the `npm start` demo) and to `full` on any `--data` folder; config.json
   * stores the resolved number.
   */
  epochs: z
    .union([positiveInt(), z.strictObject({ bundled: positiveInt(), full: positiveInt() })])
    .default(1),
  /** At most this many optimizer steps, in whole epochs (one shortened epoch when fewer). */
  maxSteps: positiveInt().nullable().default(null),
  batchSize: positiveInt().default(32),
  accumulate: positiveInt().default(1),
  lr: z.number().positive().max(10).default(0.01),
  /**
   * Inputs are multiplied by this after the mean is subtracted (1: the paper's raw ±128 pixels).
   * The cpu presets of the small net use 1/4 and Figure 3's deep nets 1/16: they diverge at the
   * paper's lr 0.01 on raw pixels and train at 1e-2 → 1e-3 → 1e-4 on scaled ones (models A/B/C
   * keep raw pixels at 1e-3 → 1e-5; docs/results.md, "CPU recipe").
   */
  inputScale: z.number().positive().max(1).default(1),
  momentum: z.number().min(0).lt(1).default(0.9),
  weightDecay: z.number().min(0).max(1).default(5e-4),
  schedule: scheduleSchema.default({ kind: 'constant' }),
  seed: z.number().int().min(0).default(0),
  /** Checkpoint every n steps; null: after every epoch. */
  checkpointEvery: positiveInt().nullable().default(null),
  keep: positiveInt().default(2),
  /** `bundled` (the Fashion-MNIST subset in @rectifier/data) or a folder: IDX, ILSVRC, ImageFolder. */
  data: z.string().min(1).default('bundled'),
  /** Use only the first n training / validation images (null: all). */
  trainLimit: positiveInt().nullable().default(null),
  valLimit: positiveInt().nullable().default(null),
  /** Shorter side before cropping (no jitter), and the crop side. */
  resize: positiveInt().default(128),
  crop: positiveInt().default(112),
  /** Shorter side drawn from [min, max] (Sec. 3: [256, 512]); null: fixed `resize` (Table 2). */
  scaleJitter: z.tuple([positiveInt(), positiveInt()]).nullable().default(null),
  flip: z.boolean().default(true),
  /**
   * AlexNet's PCA colour altering (Sec. 3 "Random color altering [18]"): the std of the per-image
   * draws α (AlexNet: 0.1), scaling the training set's colour PCA (`eigenStd`, √λ). null, false
   * or 0: off (stored as null).
   */
  pcaLighting: z
    .union([z.number().min(0).max(10), z.literal(false), z.null()])
    .default(null)
    .transform((v) => (v === false || v === 0 ? null : v)),
  /** Evaluate the validation set on centre crops after every epoch (Fig. 4's curves). */
  valEveryEpoch: z.boolean().default(true),
  /** Test protocols the experiment reports, and the dense scales. */
  protocols: z.array(z.enum(protocolFlagNames)).min(1).default(['center']),
  scales: z.array(positiveInt()).min(1).default([128, 192, 240]),
  backend: z.enum(backendChoices).default('auto'),
  /**
   * Devices (one worker process each; Sec. 3 "Multi-GPU"): the mini-batch stays `batchSize`
   * whatever the count. Under mpirun/srun the MPI world size is used and this is left at 1.
   */
  devices: positiveInt().max(1024).default(1),
  /** `hybrid` (the paper's: trunk on shards, fc head on one device) or `data` (all replicated). */
  parallel: z.enum(['hybrid', 'data']).default('hybrid'),
  /** `local` (child processes on this machine) or `mpi`; null: mpi when launched by mpirun/srun. */
  engine: z.enum(['local', 'mpi']).nullable().default(null),
  /** Threads of oneDNN or wasm; unset: @rectifier/backend's rule (every core, docs/packages/backend.md). */
  threads: positiveInt().max(256).optional(),
});

/** A resolved config: `epochs` is a number (a `{ bundled, full }` pair resolved by `data`). */
export type RunConfig = Omit<z.output<typeof runConfigSchema>, 'epochs'> & { epochs: number };
export type RunConfigInput = z.input<typeof runConfigSchema>;

/** The keys a config file or preset may set (for "did you mean"). */
export const configKeys = Object.keys(runConfigSchema.shape);

/**
 * The valid key closest to `key`: `closestName` of `@rectifier/core` (a key containing `key`, else
 * the smallest case-insensitive edit distance).
 */
export function closestKey(key: string, valid: readonly string[]): string {
  return closestName(key, valid) ?? '';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[p];
  return v;
}

function keysAt(path: readonly PropertyKey[]): string[] {
  let s: z.ZodType = runConfigSchema;
  for (const p of path) {
    const shape = (s as unknown as { shape?: Record<string, z.ZodType> }).shape;
    if (!shape || typeof p !== 'string' || !(p in shape)) return configKeys;
    s = shape[p];
    while ('unwrap' in s && typeof s.unwrap === 'function') s = s.unwrap() as z.ZodType;
    if ('def' in s && (s.def as { type?: string }).type === 'default')
      s = (s.def as unknown as { innerType: z.ZodType }).innerType;
  }
  if (s instanceof z.ZodDiscriminatedUnion) {
    return [...new Set(s.options.flatMap((o) => Object.keys((o as z.ZodObject).shape)))];
  }
  return Object.keys((s as unknown as { shape?: object }).shape ?? {});
}

/**
 * Validates a partial config (from a file, a preset and flags, merged) and resolves defaults.
 * Every problem becomes one line naming the key, the value received and the fix.
 */
export function parseRunConfig(input: unknown, source: string): RunConfig {
  const result = runConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const where = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((k) => {
            const valid = keysAt(issue.path);
            return `${source}: unknown key \`${where ? `${where}.` : ''}${k}\`; did you mean \`${closestKey(k, valid)}\`? (valid keys: ${valid.join(', ')})`;
          })
          .join('\n');
      }
      const received = valueAt(input, issue.path);
      return `${source}: \`${where}\`: ${issue.message}. Received: ${where}=${JSON.stringify(received)} (${Array.isArray(received) ? 'array' : typeof received})`;
    });
    throw new UsageError(lines.join('\n'));
  }
  const { epochs } = result.data;
  const config: RunConfig = {
    ...result.data,
    epochs:
      typeof epochs === 'number'
        ? epochs
        : result.data.data === 'bundled'
          ? epochs.bundled
          : epochs.full,
  };
  checkRunConfig(config, source);
  return config;
}

/** Cross-field checks zod's per-key schema cannot express. */
function checkRunConfig(c: RunConfig, source: string): void {
  if (c.crop > c.resize) {
    throw new UsageError(
      `${source}: \`crop\`=${c.crop} is larger than \`resize\`=${c.resize}; use crop ≤ resize.`,
    );
  }
  if (c.scaleJitter !== null && c.scaleJitter[0] > c.scaleJitter[1]) {
    throw new UsageError(
      `${source}: \`scaleJitter\`=[${c.scaleJitter.join(', ')}] must be [min, max] with min ≤ max.`,
    );
  }
  if (c.data !== 'bundled' && !existsSync(c.data)) {
    throw new UsageError(
      `${source}: \`data\`: no such file or folder. Received: data=${JSON.stringify(c.data)}. Point it at an IDX, ILSVRC or ImageFolder folder, or use "bundled".`,
    );
  }
}

/** Reads a JSON or YAML config file (by extension; YAML also parses JSON) without validating it. */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) {
    throw new UsageError(
      `--config: no such file. Received: ${path}. Give a .json, .yaml or .yml file.`,
    );
  }
  if (statSync(path).isDirectory()) {
    throw new UsageError(
      `--config ${path} is a folder; give a .json, .yaml or .yml file (e.g. --config ${join(path, 'config.yaml')}).`,
    );
  }
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(
      `${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(
      `${path}: a config must be a mapping of keys to values (got ${Array.isArray(value) ? 'an array' : typeof value}).`,
    );
  }
  return value as Record<string, unknown>;
}
