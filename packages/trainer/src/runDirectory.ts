import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type CheckpointState,
  fingerprintHash,
  listCheckpoints,
  readCheckpoint,
} from './checkpoint';
import { CheckpointError, RunDirectoryError } from './errors';
import { checkKeys } from './options';
import type { MetricLine, RunConfigFile, SlopeLine, TrainSummary } from './runRecords';
import { weightName } from './weights';

/*
 * The one module that knows the files of a run directory. The trainer writes them through
 * `runPaths`/`appendLine`/`writeJsonAtomic`; the app and evaluation read them with
 * `readRunDirectory` and `loadCheckpointInto` instead of parsing them (STYLE.md: records that
 * cross a package boundary have one typed reader).
 */

/** A checkpoint file of the run, newest first in {@link RunDirectory.checkpoints}. */
export interface CheckpointEntry {
  name: string;
  step: number;
  path: string;
}

/** Everything a run directory holds, typed. */
export interface RunDirectory {
  dir: string;
  config: RunConfigFile;
  metrics: MetricLine[];
  slopes: SlopeLine[];
  /** null while the run is unfinished. */
  summary: TrainSummary | null;
  /** Newest (highest step) first. */
  checkpoints: CheckpointEntry[];
  /** What was tolerated (a partial last line of a run killed mid-write). */
  warnings: string[];
}

/** The paths of a run directory's files. */
export function runPaths(runDir: string) {
  return {
    config: join(runDir, 'config.json'),
    metrics: join(runDir, 'metrics.jsonl'),
    slopes: join(runDir, 'slopes.jsonl'),
    summary: join(runDir, 'summary.json'),
    checkpoints: join(runDir, 'checkpoints'),
  };
}

/** Writes JSON through a temporary file and a rename: a reader never sees half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number';
const isNumOrNull = (v: unknown) => v === null || typeof v === 'number';

/** What is wrong with a metrics line, or null. */
function metricProblem(v: unknown): string | null {
  if (!isObject(v)) return 'is not a JSON object';
  if (v.type === 'step') {
    const missing = ['step', 'epoch', 'lr', 'loss', 'top1Error', 'top5Error', 'timeMs'].filter(
      (k) => !isNum(v[k]),
    );
    return missing.length === 0
      ? null
      : `is a step line without the number(s) ${missing.join(', ')}`;
  }
  if (v.type === 'epoch') {
    if (!isNum(v.epoch) || !isNum(v.step)) return 'is an epoch line without `epoch` and `step`';
    const bad = ['trainLoss', 'trainTop1Error', 'valTop1Error', 'valTop5Error'].filter(
      (k) => !isNumOrNull(v[k]),
    );
    return bad.length === 0 ? null : `is an epoch line whose ${bad.join(', ')} are not numbers`;
  }
  return `has type ${JSON.stringify(v.type)} (expected "step" or "epoch")`;
}

function slopeProblem(v: unknown): string | null {
  if (!isObject(v) || !isNum(v.epoch) || !isNum(v.step) || !Array.isArray(v.layers))
    return 'is not a slopes line ({ epoch, step, layers })';
  const ok = v.layers.every(
    (l) => isObject(l) && typeof l.layer === 'string' && isNum(l.mean) && Array.isArray(l.values),
  );
  return ok ? null : 'has a layer entry without { layer, mean, values }';
}

/**
 * Parses a JSON-lines file. A run killed while appending leaves a partial LAST line (no newline
 * at the end, not JSON): it is dropped with a warning; a bad line anywhere else is an error.
 */
function readLines<T>(
  path: string,
  problem: (v: unknown) => string | null,
  warnings: string[],
): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RunDirectoryError(
      dirname(path),
      `${basename(path)} cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); it must be the file train() appends to`,
      { cause },
    );
  }
  const rows = text.split('\n');
  const out: T[] = [];
  rows.forEach((row, i) => {
    if (row.trim() === '') return;
    const last = i === rows.length - 1; // no newline after it: written by a killed append
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      if (last) {
        warnings.push(
          `${path}: dropped a partial last line ${i + 1} (${row.length} bytes, the run was stopped while writing it)`,
        );
        return;
      }
      throw new RunDirectoryError(
        dirname(path),
        `${basename(path)} line ${i + 1} is not JSON: ${JSON.stringify(row.slice(0, 60))}; the file is damaged — restore it or remove the line`,
      );
    }
    const p = problem(value);
    if (p !== null) {
      throw new RunDirectoryError(
        dirname(path),
        `${basename(path)} line ${i + 1} ${p}; the file was not written by @rectifier/trainer or is damaged`,
      );
    }
    out.push(value as T);
  });
  return out;
}

function readJson(runDir: string, path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RunDirectoryError(runDir, `${basename(path)} cannot be read (${what})`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RunDirectoryError(
      runDir,
      `${basename(path)} is not valid JSON (${text.length} bytes: truncated or damaged); ${what}`,
      { cause },
    );
  }
}

/** config.json, checked for the fields the trainer and the app rely on. */
export function readRunConfig(runDir: string): RunConfigFile {
  const p = runPaths(runDir);
  if (!existsSync(p.config)) {
    throw new RunDirectoryError(
      runDir,
      'No config.json: this is not a run directory; start a run with train()',
    );
  }
  const config = readJson(runDir, p.config, 'it is written once when the run starts');
  if (!isObject(config) || !isObject(config.run) || !isNum(config.format)) {
    throw new RunDirectoryError(
      runDir,
      'config.json has no `format` and `run` fields: it was not written by @rectifier/trainer',
    );
  }
  return config as unknown as RunConfigFile;
}

/** summary.json, or null while the run is unfinished. */
export function readSummary(runDir: string): TrainSummary | null {
  const path = runPaths(runDir).summary;
  if (!existsSync(path)) return null;
  const summary = readJson(runDir, path, 'remove it and resume the run to write it again');
  if (!isObject(summary) || summary.finished !== true || !isNum(summary.steps)) {
    throw new RunDirectoryError(
      runDir,
      'summary.json is not a run summary (no `finished: true` and `steps`); remove it and resume the run to write it again',
    );
  }
  return summary as unknown as TrainSummary;
}

/** The run's checkpoint files, newest first; [] when checkpoints/ does not exist yet. */
export function listRunCheckpoints(runDir: string): CheckpointEntry[] {
  const dir = runPaths(runDir).checkpoints;
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new RunDirectoryError(
      runDir,
      'checkpoints is a file, not a directory; move it away (the run keeps its checkpoints in checkpoints/)',
    );
  }
  return listCheckpoints(dir).map((name) => ({
    name,
    step: Number(name.slice(5, 13)), // step-00000120.ckpt
    path: join(dir, name),
  }));
}

/**
 * Reads a run directory written by `train`: config.json, metrics.jsonl, slopes.jsonl (absent
 * when nothing logged slopes), summary.json (null while unfinished) and the checkpoint list.
 * Throws {@link RunDirectoryError} naming the file and what is wrong. `onWarning` hears what was
 * tolerated (also returned in `warnings`).
 */
export function readRunDirectory(
  dir: string,
  options: { onWarning?: (message: string) => void } = {},
): RunDirectory {
  checkKeys('readRunDirectory', options, ['onWarning']);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new RunDirectoryError(dir, 'No such directory; pass the runDir a train() call wrote');
  }
  const p = runPaths(dir);
  const config = readRunConfig(dir);
  if (!existsSync(p.metrics)) {
    throw new RunDirectoryError(
      dir,
      'No metrics.jsonl (train() writes it with the first step); the run directory is incomplete',
    );
  }
  const warnings: string[] = [];
  const metrics = readLines<MetricLine>(p.metrics, metricProblem, warnings);
  const slopes = existsSync(p.slopes) ? readLines<SlopeLine>(p.slopes, slopeProblem, warnings) : [];
  const summary = readSummary(dir);
  const checkpoints = listRunCheckpoints(dir);
  for (const w of warnings) options.onWarning?.(w);
  return { dir, config, metrics, slopes, summary, checkpoints, warnings };
}

/** Which checkpoint of a run: the newest, the best by validation error, or a file name. */
export type CheckpointChoice = 'last' | 'best' | (string & {});

/** Resolves a run directory (plus a choice) or a checkpoint file to one checkpoint file. */
export function resolveCheckpoint(target: string, which: CheckpointChoice = 'last'): string {
  if (existsSync(target) && statSync(target).isFile()) return target;
  const names = listRunCheckpoints(target);
  let entry: CheckpointEntry | undefined;
  if (which === 'last') entry = names[0];
  else if (which === 'best') {
    const best = readSummary(target)?.bestCheckpoint ?? undefined;
    entry = names.find((n) => n.name === best);
  } else entry = names.find((n) => n.name === which);
  if (entry === undefined) {
    if (!existsSync(target)) {
      throw new RunDirectoryError(target, 'No such run directory or checkpoint file');
    }
    throw new RunDirectoryError(
      target,
      which === 'best'
        ? 'No best checkpoint (the run had no validation set or is unfinished); use the last checkpoint'
        : `No checkpoint ${JSON.stringify(which)} in checkpoints/ (have: ${names.map((n) => n.name).join(', ') || 'none'})`,
    );
  }
  return entry.path;
}

/**
 * Throws {@link CheckpointError} unless checkpoint `state` (read from `path`) was written by the
 * run whose config.json `run` hashes to `expected`. Returns a warning for a checkpoint written
 * before 0.2 (no fingerprint), which is accepted: its run cannot be checked.
 */
export function checkCheckpointOwner(
  state: Pick<CheckpointState, 'fingerprint'>,
  expected: string,
  path: string,
): string | null {
  if (state.fingerprint === undefined) {
    return `${path}: written before @rectifier/trainer 0.2, it records no run fingerprint; used without checking that it belongs to this run`;
  }
  if (state.fingerprint !== expected) {
    throw new CheckpointError(
      path,
      `belongs to another run (its fingerprint ${state.fingerprint.slice(0, 12)}… is not this run's ${expected.slice(0, 12)}… from config.json: another seed, model, data or optimizer); it was copied here from elsewhere`,
    );
  }
  return null;
}

/** The fingerprint hash of the run `checkpointPath` belongs to (../config.json), or null. */
function ownerOf(checkpointPath: string): string | null {
  const dir = dirname(checkpointPath);
  if (basename(dir) !== 'checkpoints') return null;
  const runDir = dirname(dir);
  if (!existsSync(runPaths(runDir).config)) return null;
  return fingerprintHash(readRunConfig(runDir).run);
}

/** Writes a checkpoint's weights into `model`'s variables, matched by name (tfjs suffixes ignored). */
export function writeWeights(
  model: Pick<tf.LayersModel, 'weights'>,
  state: Pick<CheckpointState, 'weights'>,
  source: string,
): void {
  const byName = new Map(state.weights.map((w) => [w.name, w]));
  const missing = model.weights.map(weightName).filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new CheckpointError(
      source,
      `has no weight ${missing.join(', ')}; it belongs to another architecture — build the model the run trained`,
    );
  }
  for (const w of model.weights) {
    const saved = byName.get(weightName(w)) as CheckpointState['weights'][number];
    if (saved.shape.join('x') !== w.shape.join('x')) {
      throw new CheckpointError(
        source,
        `holds ${weightName(w)} with shape [${saved.shape}] but the model's is [${w.shape}]; build the model the run trained`,
      );
    }
    const t = tf.tensor(saved.data, saved.shape);
    w.write(t);
    t.dispose();
  }
}

/**
 * Loads the weights of a checkpoint into `model` (built with the run's architecture; the
 * weights are matched by name, so `softmax: true` or a rebuilt model fit). A checkpoint inside
 * a run directory must be that run's (its fingerprint against config.json) and is refused with
 * its name otherwise; a malformed one is refused as well. `target` is a run
 * directory — `checkpoint` picks `last` (default), `best` or a file name — or a checkpoint file.
 * Returns which checkpoint was loaded and its full state (step, epoch, optimizer buffers…).
 */
export function loadCheckpointInto(
  model: Pick<tf.LayersModel, 'weights'>,
  target: string,
  options: { checkpoint?: CheckpointChoice } = {},
): { name: string; path: string; step: number; state: CheckpointState } {
  checkKeys('loadCheckpointInto', options, ['checkpoint']);
  const path = resolveCheckpoint(target, options.checkpoint ?? 'last');
  const state = readCheckpoint(path);
  const owner = ownerOf(path);
  if (owner !== null) checkCheckpointOwner(state, owner, path);
  writeWeights(model, state, path);
  return { name: basename(path), path, step: state.step, state };
}
