import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closestKey, parseRunConfig, type RunConfig, type RunConfigInput } from './config';
import { UsageError } from './errors';
import { type EvalResult, evaluateRuns, meanResponses } from './evaluate';
import { experiments } from './presets';
import { type Experiment, type Variant, variantConfig } from './presets/experiment';
import { formatComparison, type ReportOutput, writeReport } from './report';
import { type RunOptions, readRun, resumeRun, trainRun } from './run';
import { reportKeysOf, resultsForReport, saveEvalResults } from './storedResults';

/** The experiment called `name`, or a usage error naming the closest one. */
export function experimentNamed(name: string): Experiment {
  const e = experiments[name];
  if (e === undefined) {
    const names = Object.keys(experiments);
    throw new UsageError(
      `Unknown experiment ${JSON.stringify(name)}; did you mean ${JSON.stringify(closestKey(name, names))}? (experiments: ${names.join(', ')}; see \`rectifier reproduce --list\`)`,
    );
  }
  return e;
}

/**
 * The experiment whose runs `e` trains or reuses: `e.runsOf`'s (Table 1 and Figure 2 read the
 * Table 2 nets), else `e` itself. Refuses a preset naming an unknown experiment or a variant
 * that experiment does not have: it would train nets nobody else reuses.
 */
export function runsSource(e: Experiment): Experiment {
  if (e.runsOf === undefined) return e;
  const source = experiments[e.runsOf];
  const missing = e.variants.filter((v) => !source?.variants.some((w) => w.name === v.name));
  if (source === undefined || source.runsOf !== undefined || missing.length > 0) {
    throw new UsageError(
      `preset ${e.name}: runsOf ${JSON.stringify(e.runsOf)} must name an experiment that trains its own runs and has every variant of ${e.name}${missing.length > 0 ? ` (missing: ${missing.map((v) => v.name).join(', ')})` : ''}.`,
    );
  }
  return source;
}

/** Where `reproduce` keeps the runs of `e`: `<out>/<experiment>-<scale>`, the source's when shared. */
export function runsBase(e: Experiment, scale: 'cpu' | 'paper', out = 'runs'): string {
  return join(out, `${runsSource(e).name}-${scale}`);
}

/** What `--plan` shows as the data of a paper-scale run when `--data` is not given. */
export const imagenetPlaceholder = '<your ImageNet>';

/**
 * Every run config of an experiment at a scale, validated before anything runs: one per
 * variant and seed, with `overrides` (command-line flags) applied last. Paper scale needs
 * `--data`, except for a plan (`forPlan`), whose configs then name `imagenetPlaceholder`.
 * An experiment with `runsOf` gets its source's configs of its variants, byte for byte as the
 * source's `reproduce` builds them, so the stored runs are reused.
 */
export function experimentConfigs(
  e: Experiment,
  scale: 'cpu' | 'paper',
  seeds: number,
  overrides: RunConfigInput = {},
  forPlan = false,
): RunConfig[] {
  // Paper scale trains on the user's ImageNet; only a plan may leave it unnamed.
  const data = overrides.data ?? runsSource(e).scales[scale].data;
  const noData = scale === 'paper' && data === undefined;
  if (scale === 'paper' && (data === 'bundled' || (noData && !forPlan))) {
    throw new UsageError(
      `reproduce ${e.name} --scale paper needs ImageNet: pass --data <ILSVRC-2012 root with train/ and val/> (the bundled Fashion-MNIST subset is for --scale cpu).`,
    );
  }
  const source = runsSource(e);
  const out: RunConfig[] = [];
  for (const { name } of e.variants) {
    const v = source.variants.find((w) => w.name === name) as Variant;
    for (let s = 0; s < seeds; s++) {
      const c = parseRunConfig(
        { ...variantConfig(source, v, scale), seed: s, ...overrides },
        `preset ${source.name}/${v.name} (--scale ${scale})`,
      );
      out.push(noData ? { ...c, data: imagenetPlaceholder } : c);
    }
  }
  return out;
}

export interface ReproduceResult {
  experiment: string;
  scale: 'cpu' | 'paper';
  runs: string[];
  ensemble: EvalResult[];
  report: ReportOutput;
  comparison: string;
}

/**
 * Config keys that cannot change a run's numbers (thread count, how many checkpoints are kept and
 * how often they are written: resuming is exact): a stored run differing only in them is reused.
 */
export const reuseIgnoredKeys: readonly string[] = ['threads', 'keep', 'checkpointEvery'];

/** The keys in which a stored run's config differs from the one asked for, as `key old → new`. */
export function configDifferences(stored: RunConfig, wanted: RunConfig): string[] {
  const a = stored as Record<string, unknown>;
  const b = wanted as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => !reuseIgnoredKeys.includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${JSON.stringify(a[k]) ?? 'unset'} → ${JSON.stringify(b[k]) ?? 'unset'}`);
}

/** What `reproduce` does with one run directory. */
type RunAction = 'train' | 'resume' | 'reuse' | 'replace';

/**
 * Decides every run before the first one trains: a stored run (finished or interrupted) is
 * reused or resumed only when its resolved config equals the new one; one that differs is
 * refused (exit 2, naming the keys) unless `fresh`, which moves it aside and trains anew.
 */
function planRuns(
  configs: RunConfig[],
  runDirs: string[],
  fresh: boolean,
  shared = '',
): { action: RunAction; differences: string[] }[] {
  const plans = configs.map((c, i) => {
    const runDir = runDirs[i];
    if (!existsSync(join(runDir, 'config.json')))
      return { action: 'train' as const, differences: [] };
    const differences = configDifferences(readRun(runDir).config, c);
    if (differences.length > 0) return { action: 'replace' as const, differences };
    const finished = existsSync(join(runDir, 'summary.json'));
    return { action: finished ? ('reuse' as const) : ('resume' as const), differences };
  });
  const refused = plans.flatMap((p, i) =>
    p.action === 'replace' && !fresh ? [`  ${runDirs[i]}: ${p.differences.join(', ')}`] : [],
  );
  if (refused.length > 0) {
    throw new UsageError(
      `reproduce: ${refused.length === 1 ? 'a run' : `${refused.length} runs`} in the output folder ${refused.length === 1 ? 'was' : 'were'} made with other settings, so ${refused.length === 1 ? 'its' : 'their'} numbers are not this command's:\n${refused.join('\n')}\n${shared}Re-run with --fresh to move ${refused.length === 1 ? 'it' : 'them'} aside (to <run>.replaced-<time>) and train anew, or choose another --out.`,
    );
  }
  return plans;
}

/** Moves a run directory aside (never deletes it): `<runDir>.replaced-<UTC time>`. */
function moveAside(runDir: string): string {
  const to = `${runDir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(runDir, to);
  return to;
}

/** What `reproduce` and its `--plan` are asked: the experiment, scale, seeds, output and flags. */
export interface ExperimentOptions {
  scale?: 'cpu' | 'paper';
  seeds?: number;
  out?: string;
  overrides?: RunConfigInput;
}

/** The experiment, scale and seed count of `options`, checked (`--seeds` in [1, 100]). */
export function resolveExperiment(name: string, options: ExperimentOptions) {
  const e = experimentNamed(name);
  const scale = options.scale ?? 'cpu';
  const seeds = options.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) {
    throw new UsageError(`--seeds must be an integer in [1, 100]. Received: ${seeds}`);
  }
  return { e, scale, seeds };
}

/**
 * Train + evaluate + report for one experiment. Each run lives in
 * `<out>/<experiment>-<scale>/<variant>/seed-<s>` (the `runsOf` experiment's, when the
 * experiment reads another's runs; its report still goes to its own `<out>/<name>-<scale>/`,
 * and its tests are stored beside the source's under their own keys): a finished run with the same resolved config
 * is reused, an interrupted one resumed, so the command can be re-run after Ctrl-C and continues
 * where it stopped; a run made with other settings is refused unless `fresh` (see `planRuns`).
 * Stored test results are reused only when they match the run's final checkpoint, data,
 * validation set, protocol and scales (`resultsForReport`).
 */
export async function reproduce(
  name: string,
  options: ExperimentOptions & {
    /** Move runs made with other settings aside and train them anew, instead of refusing. */
    fresh?: boolean;
    log?: (line: string) => void;
    run?: RunOptions;
  } = {},
): Promise<ReproduceResult> {
  const { e, scale, seeds } = resolveExperiment(name, options);
  const configs = experimentConfigs(e, scale, seeds, options.overrides);
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const base = runsBase(e, scale, options.out);
  const reportDir = join(options.out ?? 'runs', `${e.name}-${scale}`);
  const runs = configs.map((c) => join(base, c.variant, `seed-${c.seed}`));
  if (e.runsOf !== undefined) {
    log(
      `${e.name} measures the ${e.runsOf} nets: its runs are ${e.runsOf}'s in ${base} (trained there when missing, reused when \`rectifier reproduce ${e.runsOf}\` made them); its report goes to ${reportDir}`,
    );
    // Earlier versions trained these nets again under the report's folder: say they are not read.
    const old = e.variants.map((v) => join(reportDir, v.name)).filter((d) => existsSync(d));
    if (old.length > 0) {
      log(
        `note: ${old.join(', ')} ${old.length === 1 ? 'holds runs' : 'hold runs'} of an earlier version, in which ${e.name} trained its own copies of the ${e.runsOf} nets; ${old.length === 1 ? 'it is' : 'they are'} no longer read (remove ${old.length === 1 ? 'it' : 'them'} when no longer needed).`,
      );
    }
  }
  const plans = planRuns(
    configs,
    runs,
    options.fresh ?? false,
    e.runsOf === undefined
      ? ''
      : `These are ${e.runsOf}'s runs, which ${e.name} shares: --fresh moves them aside for \`rectifier reproduce ${e.runsOf}\` too. `,
  );
  for (const [i, c] of configs.entries()) {
    const runDir = runs[i];
    const { action, differences } = plans[i];
    const tag = `[${i + 1}/${configs.length}] ${e.name} ${c.variant} seed ${c.seed}`;
    if (action === 'reuse') {
      log(`${tag}: finished earlier with the same settings, reusing ${runDir}`);
    } else if (action === 'resume') {
      log(`${tag}: resuming ${runDir}`);
      await resumeRun(runDir, options.run);
    } else {
      if (action === 'replace') {
        log(
          `${tag}: ${runDir} was made with other settings (${differences.join(', ')}); moved aside to ${moveAside(runDir)}`,
        );
      }
      log(
        `${tag}: training (${c.model} ×${c.widthMultiplier}, ${c.activation}, ${c.init}, ${c.maxSteps === null ? `${c.epochs} epoch(s)` : `≤ ${c.maxSteps} step(s)`}, batch ${c.batchSize}) in ${runDir}`,
      );
      await trainRun(c, runDir, options.run);
    }
    const stored = new Set(
      resultsForReport(runDir, readRun(runDir), e.protocols).results.map((r) => r.key),
    );
    for (const protocol of e.protocols) {
      if (reportKeysOf(protocol, c).every((k) => stored.has(k))) {
        log(`${tag}: tested earlier (${protocol}), reusing the results`);
        continue;
      }
      log(`${tag}: testing (${protocol})`);
      saveEvalResults(
        runDir,
        await evaluateRuns([runDir], protocol, { progress: options.run?.progress }),
      );
    }
    if (e.charts.includes('responses')) {
      writeFileSync(
        join(runDir, 'responses.json'),
        `${JSON.stringify(await meanResponses(runDir))}\n`,
      );
    }
  }
  const ensemble: EvalResult[] = [];
  if (e.ensemble) {
    for (let s = 0; s < seeds; s++) {
      const members = runs.filter((_, i) => configs[i].seed === s);
      for (const protocol of e.protocols) {
        log(`${e.name} ensemble of ${members.length} models, seed ${s}: testing (${protocol})`);
        ensemble.push(
          ...(await evaluateRuns(members, protocol, { progress: options.run?.progress })),
        );
      }
    }
  }
  const report = await writeReport(runs, reportDir, ensemble, e);
  return {
    experiment: e.name,
    scale,
    runs,
    ensemble,
    report,
    comparison: formatComparison(report.rows),
  };
}
