import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintHash } from '@rectifier/trainer';
import type { ProtocolFlag, RunConfig } from './config';
import { openDataset } from './datasets';
import { ReproduceError } from './errors';
import { type EvalResult, evalResultSchema } from './evaluate';
import { experiments } from './presets';
import { resultFileName } from './resultIdentity';
import type { readRun } from './run';
import { readRunJson } from './runFiles';

type StoredRun = ReturnType<typeof readRun>;

/** Test results could not be written to the run directory (they were computed; exit 1 unless caught). */
export class ResultsNotSavedError extends ReproduceError {
  override name = 'ResultsNotSavedError';
}

/** The file-system calls `saveEvalResults` makes: replaced in tests to fail on purpose. */
export interface ResultWriter {
  mkdir(dir: string): void;
  write(path: string, text: string): void;
}

const fileWriter: ResultWriter = {
  mkdir: (dir) => mkdirSync(dir, { recursive: true }),
  write(path, text) {
    // Written beside and renamed: a killed `eval` never leaves half a result to be reported.
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  },
};

/**
 * Stores results in `<runDir>/eval/`, one file per identity (`resultFileName`): results of
 * other protocols, scales, data, val limits or checkpoints sit beside each other, and testing the
 * same again replaces only its own file.
 */
export function saveEvalResults(
  runDir: string,
  results: EvalResult[],
  writer: ResultWriter = fileWriter,
): string[] {
  const dir = join(runDir, 'eval');
  try {
    writer.mkdir(dir);
    return results.map((r) => {
      if (r.identity === undefined) throw new Error(`result ${r.key} has no identity`);
      const path = join(dir, resultFileName(r.identity));
      writer.write(path, `${JSON.stringify(r, null, 2)}\n`);
      return path;
    });
  } catch (err) {
    throw new ResultsNotSavedError(
      `Could not save the test results in ${dir}: ${(err as Error).message}. Make the run directory writable and test again with \`rectifier eval ${runDir}\`.`,
      { cause: err },
    );
  }
}

/** Every stored result with an identity; files that cannot be used are named in `notes`. */
export function readStoredResults(runDir: string): { results: EvalResult[]; notes: string[] } {
  const dir = join(runDir, 'eval');
  const notes: string[] = [];
  if (!existsSync(dir)) return { results: [], notes };
  if (!statSync(dir).isDirectory()) {
    return { results: [], notes: [`${dir} is not a directory: no stored test results read`] };
  }
  const results: EvalResult[] = [];
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const path = join(dir, f);
    // A damaged file is refused, naming it, rather than skipped: a report silently short of a
    // number would read as complete.
    const r = readRunJson(
      runDir,
      path,
      `remove it and test the run again: rectifier eval ${runDir}`,
      evalResultSchema,
    );
    if (r.identity === undefined) {
      // Pre-keying files (`center.json`…) do not say which images or checkpoint they scored: an
      // ad-hoc `--val-limit 3` looks like the full set. Ignored, never migrated.
      notes.push(
        `${path}: stored before results were keyed by protocol, scales, data, val limit and checkpoint; not reported (test again: \`rectifier eval ${runDir} --protocol ${r.key.replace(/\(\d+\)$/, '')}\`)`,
      );
      continue;
    }
    results.push(r);
  }
  return { results, notes };
}

/** The step and fingerprint of a run's final checkpoint (the newest, while it is unfinished). */
function finalCheckpoint(run: StoredRun): { step: number; fingerprint: string } | null {
  const step = run.summary?.steps ?? run.directory.checkpoints[0]?.step;
  if (step === undefined) return null;
  return { step, fingerprint: fingerprintHash(run.directory.config.run) };
}

/**
 * The key a result has in a report of run config `c` (`dense(i)` is the i-th of the run's
 * scales), or null when it tests something else than the run's own protocols and scales.
 */
function reportKey(r: EvalResult, c: RunConfig, wanted: readonly ProtocolFlag[] | null) {
  const id = r.identity;
  if (id === undefined || (wanted !== null && !wanted.includes(id.protocol))) return null;
  if (id.protocol === 'dense') {
    const i = c.scales.indexOf(id.scales?.[0] ?? -1);
    return i < 0 ? null : `dense(${i})`;
  }
  if (id.protocol === 'multi-scale') {
    const own = [...new Set(c.scales)].sort((a, b) => a - b);
    return JSON.stringify(id.scales) === JSON.stringify(own) ? id.protocol : null;
  }
  return id.protocol;
}

/**
 * The stored results a report of `runDir` shows: the experiment's protocols (any, outside an
 * experiment) at the run's scales, on the run's own data and validation set (its `data` and
 * `valLimit`, no ad-hoc limit) with its final checkpoint. Each result is re-keyed for the
 * report (`dense(i)` = the i-th of the run's scales) and carries its image count. When the data
 * changed between two tests, the one of the data as it is now is used. `protocols` replaces the
 * run's experiment's: a run shared by several experiments (Table 2's, read by Table 1 and Figure
 * 2) carries each one's tests, and each report picks its own.
 */
export function resultsForReport(
  runDir: string,
  run: StoredRun,
  protocols?: readonly ProtocolFlag[],
): { results: EvalResult[]; notes: string[] } {
  const { results: stored, notes } = readStoredResults(runDir);
  const c = run.config;
  const final = finalCheckpoint(run);
  if (final === null) return { results: [], notes };
  const wanted = protocols ?? experiments[c.experiment]?.protocols ?? null;
  const byKey = new Map<string, EvalResult[]>();
  for (const r of stored) {
    const id = r.identity;
    if (
      id === undefined ||
      id.checkpoints.length !== 1 ||
      id.checkpoints[0].step !== final.step ||
      id.checkpoints[0].fingerprint !== final.fingerprint ||
      id.data.path !== c.data ||
      id.valLimit !== c.valLimit
    )
      continue;
    const key = reportKey(r, c, wanted);
    if (key !== null) byKey.set(key, [...(byKey.get(key) ?? []), { ...r, key }]);
  }
  let current: string | null | undefined;
  const currentKey = () => {
    if (current === undefined) {
      try {
        current = openDataset(c.data, { train: c.trainLimit, val: c.valLimit }).val.contentKey();
      } catch {
        current = null;
      }
    }
    return current;
  };
  const results: EvalResult[] = [];
  for (const [key, rs] of [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const contents = new Set(rs.map((r) => r.identity?.data.contentKey));
    const pick =
      contents.size === 1 ? rs[0] : rs.find((r) => r.identity?.data.contentKey === currentKey());
    if (pick === undefined) {
      notes.push(
        `${runDir}: ${key} was tested on ${contents.size} different contents of ${c.data}, none of them the data as it is now; not reported (test again: \`rectifier eval ${runDir}\`)`,
      );
    } else results.push(pick);
  }
  return { results, notes };
}

/** The report keys an experiment's `protocols` give for run config `c`. */
export function reportKeysOf(protocol: ProtocolFlag, c: RunConfig): string[] {
  return protocol === 'dense' ? c.scales.map((_, i) => `dense(${i})`) : [protocol];
}
