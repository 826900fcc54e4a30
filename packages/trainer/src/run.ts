import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { version } from '../package.json'; // inlined by the build: config.json names the release that ran
import {
  type CheckpointState,
  fingerprintHash,
  listCheckpoints,
  readCheckpoint,
  removeTemporaries,
} from './checkpoint';
import { follow, isFollower, startEngine } from './engines/startEngine';
import { CheckpointError, RunDirectoryError } from './errors';
import { checkpointPolicy, writeRunCheckpoint } from './observers/checkpointPolicy';
import { hookObserver } from './observers/hookObserver';
import { lossRiseWarning } from './observers/lossRiseWarning';
import { metricsLog } from './observers/metricsLog';
import type { TrainObserver } from './observers/observer';
import { progressObserver } from './observers/progressObserver';
import { slopeLog } from './observers/slopeLog';
import { summaryWriter } from './observers/summaryWriter';
import { createProgress, type Progress } from './progress';
import {
  checkCheckpointOwner,
  readRunConfig,
  readSummary,
  runPaths,
  writeJsonAtomic,
  writeWeights,
} from './runDirectory';
import type { RunConfigFile, TrainSummary } from './runRecords';
import { freshState, type RunState, stateFromCheckpoint } from './runState';
import { trainLoop } from './trainLoop';
import { resolveTrainOptions, type TrainOptions, type TrainPlan } from './trainOptions';

const FORMAT = 1;

function makeProgress(options: TrainOptions): Progress {
  return createProgress(
    options.quiet ? 'none' : (options.progress ?? 'auto'),
    options.progressStream,
  );
}

/** The fields of two fingerprints that differ (top-level keys). */
function differences(a: object, b: object): string[] {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}

/** The backend that runs: the caller's name for it (oneDNN runs under `wasm`), else tfjs's. */
function actualBackend(options: TrainOptions): string {
  return options.backendName ?? tf.getBackend();
}

function bytesOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** The built-in observers, in the order they hear each event, then the caller's. */
function observersOf(
  plan: TrainPlan,
  s: RunState,
  progress: Progress,
  elapsed: () => number,
): TrainObserver[] {
  const { runDir } = plan.options;
  return [
    metricsLog(runDir),
    ...(plan.options.slopes === false ? [] : [slopeLog(runDir, plan.parts)]),
    progressObserver(progress),
    ...(plan.lossRise === null ? [] : [lossRiseWarning(plan.lossRise, progress)]),
    hookObserver(plan.options.hooks),
    checkpointPolicy(plan, s, elapsed),
    summaryWriter(runDir),
    ...(plan.options.observers ?? []),
  ];
}

/** Starts the engine and runs the loop from `s`; on any failure the engine's workers stop. */
async function runFrom(plan: TrainPlan, s: RunState, progress: Progress): Promise<TrainSummary> {
  const engine = await startEngine(plan);
  const startedAt = performance.now() - s.elapsedMs;
  const elapsed = () => performance.now() - startedAt;
  try {
    return await trainLoop(plan, s, engine, observersOf(plan, s, progress, elapsed), elapsed);
  } catch (e) {
    await engine.fail(String(e));
    throw e;
  }
}

/**
 * Trains `model` as Sec. 3 does (SGD in Caffe's form, a schedule, checkpoints) and records the
 * run in `runDir`: config.json, metrics.jsonl (one line per step and per epoch), slopes.jsonl
 * (the PReLU slopes of every layer after each epoch, Table 1), checkpoints/ and, at the end,
 * summary.json. Every option is checked before anything is written; a killed run continues with
 * {@link resume} and ends with the same weights, bit for bit, as if it had not been killed.
 */
export async function train(options: TrainOptions): Promise<TrainSummary> {
  const plan = resolveTrainOptions(options);
  if (isFollower(plan)) return follow(plan);
  const p = runPaths(options.runDir);
  if (existsSync(p.config)) {
    const diff = differences(readRunConfig(options.runDir).run, plan.fingerprint);
    throw new RunDirectoryError(
      options.runDir,
      diff.length === 0
        ? 'This directory already holds this run: continue it with resume(runDir, options), or choose a new runDir'
        : `This directory belongs to another run (its config differs in: ${diff.join(', ')}); choose a new runDir`,
    );
  }
  if (existsSync(options.runDir) && readdirSync(options.runDir).length > 0) {
    throw new RunDirectoryError(
      options.runDir,
      'The directory is not empty and holds no run (no config.json); choose a new or empty runDir',
    );
  }
  mkdirSync(p.checkpoints, { recursive: true });
  const config: RunConfigFile = {
    format: FORMAT,
    versions: { trainer: version, tfjs: tf.version.tfjs, node: process.version },
    run: plan.fingerprint,
    topology: plan.parts.whole.toJSON(null, false),
    backend: { requested: plan.fingerprint.backend, actual: actualBackend(options) },
    createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(p.config, config);
  const s = freshState();
  // Step 0: the initial weights, so a run killed before its first checkpoint resumes exactly.
  await writeRunCheckpoint(plan, s);
  return runFrom(plan, s, makeProgress(options));
}

/**
 * Continues the run in `runDir` from its newest readable checkpoint; a run stopped before its
 * step-0 checkpoint existed (no checkpoint file at all) starts from step 0 with the same config. `options` are the same as
 * for `train` (without `runDir`): the same model architecture, loaders, optimizer and schedule;
 * they are compared with config.json and a difference is an error naming the fields. A
 * truncated or corrupt checkpoint is reported, renamed `*.corrupt`, and the previous one used.
 * A run stopped by `maxSteps` continues too (its summary.json is removed).
 */
export async function resume(
  runDir: string,
  options: Omit<TrainOptions, 'runDir'>,
): Promise<TrainSummary> {
  const full = { ...options, runDir } as TrainOptions;
  const plan = resolveTrainOptions(full);
  if (isFollower(plan)) return follow(plan);
  const p = runPaths(runDir);
  if (!existsSync(p.config)) {
    throw new RunDirectoryError(
      runDir,
      'No config.json: this is not a run directory; start it with train()',
    );
  }
  const finished = readSummary(runDir);
  if (finished !== null && finished.stoppedBy !== 'maxSteps') {
    throw new RunDirectoryError(
      runDir,
      'The run is finished (summary.json exists); train a new run in another runDir',
    );
  }
  const stored = readRunConfig(runDir);
  if (
    stored.backend === undefined &&
    options.requestedBackend !== undefined &&
    stored.run.backend === actualBackend(full)
  ) {
    // A run started before requestedBackend existed pinned the backend that ran; it keeps
    // that identity (and its checkpoints' fingerprint) when resumed on the same backend.
    plan.fingerprint = { ...plan.fingerprint, backend: stored.run.backend };
    plan.fingerprintHash = fingerprintHash(plan.fingerprint);
  }
  const diff = differences(stored.run, plan.fingerprint);
  if (diff.length > 0) {
    throw new RunDirectoryError(
      runDir,
      `The options differ from the run's config.json in: ${diff.join(', ')}; resume with the options the run was started with`,
    );
  }
  const progress = makeProgress(full);
  const started = stored.backend?.actual;
  if (started !== undefined && started !== actualBackend(full)) {
    progress.warn(
      `${runDir}: the run started on backend ${started} (asked for ${plan.fingerprint.backend}) and continues on ${actualBackend(full)}; the weights carry over, the last bits of later steps may differ`,
    );
  }
  const names = listCheckpoints(p.checkpoints);
  if (names.length === 0) {
    // Killed after config.json but before the step-0 checkpoint was in place: nothing was
    // trained, and the options match config.json, so the run starts again from step 0 here.
    progress.warn(
      `${runDir}: no checkpoint yet (the run was stopped before its step-0 checkpoint); starting it from step 0`,
    );
    removeTemporaries(p.checkpoints);
    mkdirSync(p.checkpoints, { recursive: true });
    for (const f of [p.metrics, p.slopes]) if (existsSync(f)) rmSync(f);
    const s = freshState();
    await writeRunCheckpoint(plan, s);
    return runFrom(plan, s, progress);
  }
  let loaded: CheckpointState | null = null;
  let loadedName = '';
  const owner = fingerprintHash(readRunConfig(runDir).run);
  for (const name of names) {
    const path = join(p.checkpoints, name);
    let state: CheckpointState;
    try {
      state = readCheckpoint(path);
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      progress.warn(`${err.message}; using the previous checkpoint`);
      renameSync(path, `${path}.corrupt`);
      continue;
    }
    try {
      const warning = checkCheckpointOwner(state, owner, path);
      if (warning !== null) progress.warn(warning);
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      // Set aside, not deleted: it may be another run's only copy.
      progress.warn(`${err.message}; set aside as ${name}.foreign, using the previous checkpoint`);
      renameSync(path, `${path}.foreign`);
      continue;
    }
    loaded = state;
    loadedName = name;
    break;
  }
  if (loaded === null) {
    throw new RunDirectoryError(
      runDir,
      "No usable checkpoint in checkpoints/ (every one is damaged or another run's, and was renamed *.corrupt or *.foreign); start the run again with train() in a new runDir",
    );
  }
  removeTemporaries(p.checkpoints);
  // Weights, momentum buffers and schedule state as the checkpoint has them.
  writeWeights(plan.parts.whole, loaded, join(p.checkpoints, loadedName));
  plan.options.optimizer.setState({ buffers: loaded.buffers });
  plan.schedule.setState(loaded.schedule);
  // A run stopped before its first step has no metrics.jsonl yet.
  if (existsSync(p.metrics))
    truncateSync(p.metrics, Math.min(loaded.metricsBytes, bytesOf(p.metrics)));
  if (existsSync(p.slopes)) truncateSync(p.slopes, Math.min(loaded.slopesBytes, bytesOf(p.slopes)));
  if (finished !== null) rmSync(p.summary);
  return runFrom(plan, stateFromCheckpoint(loaded, loadedName), progress);
}
