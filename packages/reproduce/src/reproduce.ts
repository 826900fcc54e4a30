import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closestKey, parseRunConfig, type RunConfig, type RunConfigInput } from './config';
import { UsageError } from './errors';
import { type EvalResult, evaluateRuns, meanResponses, saveEvalResults } from './evaluate';
import { experiments } from './presets';
import { type Experiment, variantConfig } from './presets/experiment';
import { formatComparison, type ReportOutput, writeReport } from './report';
import { type RunOptions, resumeRun, trainRun } from './run';

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

/** What `--plan` shows as the data of a paper-scale run when `--data` is not given. */
export const imagenetPlaceholder = '<your ImageNet>';

/**
 * Every run config of an experiment at a scale, validated before anything runs: one per
 * variant and seed, with `overrides` (command-line flags) applied last. Paper scale needs
 * `--data`, except for a plan (`forPlan`), whose configs then name `imagenetPlaceholder`.
 */
export function experimentConfigs(
  e: Experiment,
  scale: 'cpu' | 'paper',
  seeds: number,
  overrides: RunConfigInput = {},
  forPlan = false,
): RunConfig[] {
  // Paper scale trains on the user's ImageNet; only a plan may leave it unnamed.
  const data = overrides.data ?? e.scales[scale].data;
  const noData = scale === 'paper' && data === undefined;
  if (scale === 'paper' && (data === 'bundled' || (noData && !forPlan))) {
    throw new UsageError(
      `reproduce ${e.name} --scale paper needs ImageNet: pass --data <ILSVRC-2012 root with train/ and val/> (the bundled Fashion-MNIST subset is for --scale cpu).`,
    );
  }
  const out: RunConfig[] = [];
  for (const v of e.variants) {
    for (let s = 0; s < seeds; s++) {
      const c = parseRunConfig(
        { ...variantConfig(e, v, scale), seed: s, ...overrides },
        `preset ${e.name}/${v.name} (--scale ${scale})`,
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
 * Train + evaluate + report for one experiment. Each run lives in
 * `<out>/<experiment>-<scale>/<variant>/seed-<s>`: a finished run is reused, an interrupted one
 * resumed, so the command can be re-run after Ctrl-C and continues where it stopped.
 */
export async function reproduce(
  name: string,
  options: {
    scale?: 'cpu' | 'paper';
    seeds?: number;
    out?: string;
    overrides?: RunConfigInput;
    log?: (line: string) => void;
    run?: RunOptions;
  } = {},
): Promise<ReproduceResult> {
  const e = experimentNamed(name);
  const scale = options.scale ?? 'cpu';
  const seeds = options.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) {
    throw new UsageError(`--seeds must be an integer in [1, 100]. Received: ${seeds}`);
  }
  const configs = experimentConfigs(e, scale, seeds, options.overrides);
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const base = join(options.out ?? 'runs', `${e.name}-${scale}`);
  const runs: string[] = [];
  for (const [i, c] of configs.entries()) {
    const runDir = join(base, c.variant, `seed-${c.seed}`);
    runs.push(runDir);
    const tag = `[${i + 1}/${configs.length}] ${e.name} ${c.variant} seed ${c.seed}`;
    const reused = existsSync(join(runDir, 'summary.json'));
    if (reused) {
      log(`${tag}: finished earlier, reusing ${runDir}`);
    } else if (existsSync(join(runDir, 'config.json'))) {
      log(`${tag}: resuming ${runDir}`);
      await resumeRun(runDir, options.run);
    } else {
      log(
        `${tag}: training (${c.model} ×${c.widthMultiplier}, ${c.activation}, ${c.init}, ${c.maxSteps === null ? `${c.epochs} epoch(s)` : `≤ ${c.maxSteps} step(s)`}, batch ${c.batchSize}) in ${runDir}`,
      );
      await trainRun(c, runDir, options.run);
    }
    for (const protocol of e.protocols) {
      const key = protocol === 'dense' ? 'dense(0)' : protocol;
      if (reused && existsSync(join(runDir, 'eval', `${key}.json`))) {
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
  const report = await writeReport(runs, base, ensemble);
  return {
    experiment: e.name,
    scale,
    runs,
    ensemble,
    report,
    comparison: formatComparison(report.rows),
  };
}
