import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltModel } from '@rectifier/architectures';
import { type BackendInfo, selectBackend } from '@rectifier/backend';
import {
  constantSchedule,
  DivergenceError,
  fingerprintHash,
  listCheckpoints,
  loadCheckpointInto,
  type ProgressMode,
  plateauSchedule,
  type RunDirectory,
  readCheckpoint,
  readRunDirectory,
  resume,
  type Schedule,
  sgd,
  stepSchedule,
  TrainingInterruptedError,
  type TrainOptions,
  type TrainSummary,
  train,
} from '@rectifier/trainer';
import { parseRunConfig, type RunConfig } from './config';
import { type AppDataset, openDataset } from './datasets';
import { DivergedError, InterruptedError, RunDirError } from './errors';
import { checkCropFits, checkScalesFit } from './inputSizes';
import {
  buildFromConfig,
  colourAlteringOf,
  datasetStats,
  epochsOf,
  parseRecordedStats,
  preprocessOf,
  type RecordedStats,
  recordedStats,
  trainLoaderOf,
  valLoaderOf,
} from './model';
import { readRunJson } from './runFiles';

let backend: BackendInfo | null = null;

/** What `--backend webgpu` prints when the only adapter computes on the CPU. */
export function softwareAdapterWarning(info: BackendInfo): string | null {
  if (info.name !== 'webgpu' || info.adapter?.software !== true) return null;
  return (
    `warning: --backend webgpu runs on a software adapter (${info.adapter.description || info.adapter.architecture}), ` +
    'which computes on the CPU: right results, far slower than --backend wasm. For a GPU, install its Vulkan driver (check with `rectifier info --backend webgpu`).\n'
  );
}

/**
 * Selects the tfjs backend once per process (the wasm thread count is fixed at first start).
 * `webgpu` is an explicit request, so it may run on a software adapter (SwiftShader,
 * lavapipe: a correctness check on a machine without a GPU), with a warning through `warn`.
 */
export async function ensureBackend(
  c: Pick<RunConfig, 'backend' | 'threads'>,
  warn: (message: string) => void = (m) => process.stderr.write(m),
): Promise<BackendInfo> {
  if (backend === null) {
    backend = await selectBackend({
      prefer: c.backend,
      threads: c.threads,
      ...(c.backend === 'webgpu' ? { allowSoftwareAdapter: true } : {}),
    });
    const warning = softwareAdapterWarning(backend);
    if (warning !== null) warn(warning);
  }
  return backend;
}

/**
 * The trainer's schedule. Points given as fractions of the run become epoch counts of the
 * configured `epochs` (not of a `--max-steps` cut: a cut run stops early, it does not switch
 * early); the trainer records them, in epochs, in config.json's `run.schedule`.
 */
function scheduleOf(c: RunConfig): Schedule {
  const s = c.schedule;
  if (s.kind === 'step')
    return stepSchedule({
      at: s.unit === 'run' ? s.at.map((f) => f * c.epochs) : s.at,
      factor: s.factor,
    });
  if (s.kind === 'plateau')
    return plateauSchedule({
      patience: s.patience,
      factor: s.factor,
      min: s.min,
      // `min` is the lowest learning rate, absolute (Sec. 3: 1e-2 → 1e-3 → 1e-4).
      learningRate: c.lr,
    });
  return constantSchedule();
}

/** The trainer's rising-loss warning, in the CLI's words. */
function lossRiseHint(c: RunConfig, runDir: string): string {
  return (
    `if it keeps rising, stop it (Ctrl-C) and train again with a lower rate (--lr ${c.lr / 10})` +
    `${c.inputScale === 1 ? ' or scaled inputs (--input-scale 0.25, the cpu recipe)' : ''}; ` +
    `if it falls back, a stopped run continues with \`rectifier resume ${runDir}\``
  );
}

export interface RunOptions {
  progress?: ProgressMode;
  /** Stop cleanly on SIGINT (the CLI sets it; tests call `requestStop` instead). */
  handleSigint?: boolean;
  /**
   * Multi-device: wait (ms) for another rank before declaring it hung (`--collective-timeout`);
   * unset, the trainer derives it from the step times (at least 60 s).
   */
  collectiveTimeoutMs?: number;
  /** Where warnings go (the CLI's stderr); default process.stderr. */
  warn?: (message: string) => void;
}

/** Everything `train`/`resume` need, rebuilt from a config: the same call twice gives the same run. */
async function trainOptions(
  c: RunConfig,
  data: AppDataset,
  runDir: string,
  runOptions: RunOptions,
  stats: RecordedStats,
  meta: Record<string, unknown>,
  prebuilt?: BuiltModel,
) {
  // The engine first: building a model touches the backend.
  const chosen = await ensureBackend(c, runOptions.warn);
  const built = prebuilt ?? buildFromConfig(c, data.classes.length);
  const pre = preprocessOf(stats, c.inputScale);
  const trainLoader = trainLoaderOf(c, data.train, [...colourAlteringOf(c, stats), ...pre]);
  const valLoader =
    c.valEveryEpoch || c.schedule.kind === 'plateau' ? valLoaderOf(c, data.val, pre) : undefined;
  const options: Omit<TrainOptions, 'runDir'> = {
    model: built,
    optimizer: sgd({ learningRate: c.lr, momentum: c.momentum, weightDecay: c.weightDecay }),
    schedule: scheduleOf(c),
    trainLoader,
    valLoader,
    epochs: epochsOf(c, trainLoader),
    seed: c.seed,
    checkpointEvery: c.checkpointEvery === null ? 1 : { steps: c.checkpointEvery },
    keep: c.keep,
    accumulate: c.accumulate,
    progress: runOptions.progress ?? 'auto',
    lossRise: { hint: lossRiseHint(c, runDir) },
    meta,
    backendName: chosen.name, // `onednn` runs under tfjs's `wasm`: name the engine that ran
    // What was asked for (`auto`) is the run's identity, so a run that fell back resumes.
    requestedBackend: c.backend,
    ...(runOptions.collectiveTimeoutMs === undefined
      ? {}
      : { timeoutMs: runOptions.collectiveTimeoutMs }),
    // Under mpirun/srun the trainer takes the world size; `devices` is for the local engine.
    ...(c.devices > 1 ? { devices: c.devices } : {}),
    parallel: c.parallel,
    ...(c.engine === null ? {} : { engine: c.engine }),
    // Local workers rebuild the net from its JSON: they need Rectifier's layer classes.
    workerImports: ['@rectifier/architectures'],
  };
  return { options, built };
}

/** The running (or next) run's stop switch: what SIGINT and `requestStop` pull. */
let controller = new AbortController();

/**
 * Asks the current (or next) `trainRun`/`resumeRun` to stop: it finishes the step it is on,
 * writes a checkpoint there and rejects with `InterruptedError`. What SIGINT does in the CLI.
 */
export function requestStop(): void {
  controller.abort();
}

/**
 * Ctrl-C through the trainer's `signal`: the first SIGINT aborts it (the trainer finishes the
 * step, checkpoints it, stops the progress bar and rejects), and the run ends with
 * `InterruptedError` naming the `rectifier resume` command; `resume` continues from that
 * checkpoint and, the trainer being exact, ends bit-identical to an uninterrupted run. A second
 * SIGINT exits at once (130); the last checkpoint written is where `resume` goes on.
 */
async function guarded(
  runDir: string,
  run: (signal: AbortSignal) => Promise<TrainSummary>,
  handleSigint: boolean,
  lr: number,
): Promise<TrainSummary> {
  const own = controller;
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts === 1) {
      own.abort();
      return;
    }
    process.stderr.write(
      `\nStopped without a checkpoint of this step. Continue from the last one with: rectifier resume ${runDir}\n`,
    );
    process.exit(130);
  };
  if (handleSigint) process.on('SIGINT', onSigint);
  try {
    return await run(own.signal);
  } catch (err) {
    if (err instanceof TrainingInterruptedError) {
      throw new InterruptedError(runDir, err.step);
    }
    if (err instanceof DivergenceError) {
      throw new DivergedError(
        runDir,
        err.step,
        `${err.what} is ${err.value}`,
        err.lastGoodCheckpoint,
        lr,
        { cause: err },
      );
    }
    throw err;
  } finally {
    if (own === controller) controller = new AbortController(); // the next run starts unstopped
    if (handleSigint) process.off('SIGINT', onSigint);
  }
}

/** Trains a new run in `runDir` from a resolved config. */
export async function trainRun(
  c: RunConfig,
  runDir: string,
  runOptions: RunOptions = {},
): Promise<TrainSummary> {
  const data = openDataset(c.data, { train: c.trainLimit, val: c.valLimit });
  // The net is built first: a crop too small for it fails before statistics or files.
  await ensureBackend(c, runOptions.warn);
  const built = buildFromConfig(c, data.classes.length);
  let stats: RecordedStats;
  try {
    checkCropFits(built, c);
    // A config's test scales the engine cannot run would fail only after training.
    if (c.protocols.some((p) => p === 'dense' || p === 'multi-scale')) {
      checkScalesFit(built, c.scales, 'scales');
    }
    // Recorded in config.json with the run, so resume, eval, export and report use these.
    stats = recordedStats(await datasetStats(data, c));
  } catch (err) {
    built.model.dispose(); // a refused run leaves no weights behind in this process
    throw err;
  }
  const meta = { rectifier: c, data: data.name, classes: data.classes, stats };
  const { options } = await trainOptions(c, data, runDir, runOptions, stats, meta, built);
  return guarded(
    runDir,
    (signal) => train({ ...options, runDir, signal }),
    runOptions.handleSigint ?? false,
    c.lr,
  );
}

interface StoredRun {
  dir: string;
  config: RunConfig;
  classes: string[];
  dataName: string;
  /** The statistics recorded at training start (`run.meta.stats`); undefined for older runs. */
  stats: RecordedStats | undefined;
  /** config.json's `run.meta` as written. */
  meta: Record<string, unknown>;
  summary: TrainSummary | null;
  /** Everything else the trainer wrote (metrics, slopes, checkpoints, versions), typed. */
  directory: RunDirectory;
}

/**
 * The trainer's typed view of a run directory. A run stopped before its first step (Ctrl-C while
 * it started) has config.json and its step-0 checkpoint but no metrics.jsonl yet, which
 * `readRunDirectory` requires: then there are no lines to read, and the rest is assembled here.
 */
function runDirectoryOf(runDir: string): RunDirectory {
  if (existsSync(join(runDir, 'metrics.jsonl'))) {
    const directory = readRunDirectory(runDir);
    for (const w of directory.warnings) warnOnce(w);
    return directory;
  }
  const fix = 'the file is damaged; restore it from a copy';
  const config = readRunJson<RunDirectory['config']>(runDir, join(runDir, 'config.json'), fix);
  const summaryPath = join(runDir, 'summary.json');
  const summary = existsSync(summaryPath)
    ? readRunJson<TrainSummary>(runDir, summaryPath, 'remove it and resume the run')
    : null;
  const dir = join(runDir, 'checkpoints');
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new RunDirError(
      runDir,
      'checkpoints is a file, not a directory; move it away (the run keeps its checkpoints in checkpoints/)',
    );
  }
  const checkpoints = (existsSync(dir) ? listCheckpoints(dir) : []).map((name) => ({
    name,
    step: readCheckpoint(join(dir, name)).step,
    path: join(dir, name),
  }));
  const trained = summary?.steps ?? checkpoints[0]?.step ?? 0;
  if (trained > 0) {
    // Only a run stopped before its first step has no log: this one's is gone.
    throw new RunDirError(
      runDir,
      `metrics.jsonl is missing, yet the run trained ${trained} step(s) (its ${summary === null ? 'checkpoints say' : 'summary.json says'} so): the log was deleted or moved. Restore it from a copy; without it the run cannot be reported or resumed.`,
    );
  }
  return { dir: runDir, config, metrics: [], slopes: [], summary, checkpoints, warnings: [] };
}

const warned = new Set<string>();

/** A run-directory warning (a partial last line…) on stderr, once per process. */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`warning: ${message}\n`);
}

/** The app's config and state of a run directory (written by `trainRun`), through the trainer's reader. */
export function readRun(runDir: string): StoredRun {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) {
    throw new RunDirError(
      runDir,
      'no config.json: not a run directory. Start one with `rectifier train`.',
    );
  }
  const directory = runDirectoryOf(runDir);
  const meta = directory.config.run.meta as {
    rectifier?: unknown;
    data?: string;
    classes?: string[];
    stats?: unknown;
  } | null;
  if (meta?.rectifier === undefined) {
    throw new RunDirError(
      runDir,
      'config.json was not written by `rectifier train` (no run.meta.rectifier).',
    );
  }
  return {
    dir: runDir,
    config: parseRunConfig(meta.rectifier, `${path} (run.meta.rectifier)`),
    classes: meta.classes ?? [],
    dataName: meta.data ?? '',
    stats: parseRecordedStats(meta.stats, runDir),
    meta,
    summary: directory.summary,
    directory,
  };
}

/**
 * The mean and PCA a run trained with: the ones it recorded, never the machine-local cache. A
 * run recorded before the app stored them gets them from its data (through the cache).
 */
export async function runStats(run: StoredRun | string): Promise<RecordedStats> {
  const r = typeof run === 'string' ? readRun(run) : run;
  if (r.stats !== undefined) return r.stats;
  const c = r.config;
  return recordedStats(
    await datasetStats(openDataset(c.data, { train: c.trainLimit, val: null }), c),
  );
}

/** The step `resume` continues from: its newest checkpoint's (0 when it has none yet). */
export function resumeStep(runDir: string): number {
  return readRun(runDir).directory.checkpoints[0]?.step ?? 0;
}

/** Continues an interrupted run from its newest readable checkpoint. */
export async function resumeRun(
  runDir: string,
  runOptions: RunOptions = {},
): Promise<TrainSummary> {
  const run = readRun(runDir);
  const { config } = run;
  const data = openDataset(config.data, { train: config.trainLimit, val: config.valLimit });
  const stats = await runStats(run);
  // The meta as recorded: a run from before statistics were recorded keeps its fingerprint.
  const { options } = await trainOptions(config, data, runDir, runOptions, stats, run.meta);
  return guarded(
    runDir,
    (signal) => resume(runDir, { ...options, signal }),
    runOptions.handleSigint ?? false,
    config.lr,
  );
}

/**
 * The model of a run with the weights of one checkpoint: `last` (newest), `best` (by
 * validation error), or a checkpoint file name. Built with `softmax` as asked.
 */
export async function loadRunModel(
  runDir: string,
  which = 'last',
  softmax = false,
): Promise<{
  built: BuiltModel;
  config: RunConfig;
  classes: string[];
  checkpoint: string;
  /** The checkpoint's step and the run's fingerprint hash: what stored test results are keyed by. */
  step: number;
  fingerprint: string;
  summary: TrainSummary | null;
}> {
  const run = readRun(runDir);
  await ensureBackend(run.config);
  const built = buildFromConfig(run.config, run.classes.length, softmax);
  const { name, step } = loadCheckpointInto(built.model, runDir, { checkpoint: which });
  return {
    built,
    config: run.config,
    classes: run.classes,
    checkpoint: name,
    step,
    fingerprint: fingerprintHash(run.directory.config.run),
    summary: run.summary,
  };
}
