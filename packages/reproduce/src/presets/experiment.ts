import type { ProtocolFlag, RunConfigInput } from '../config';
import { UsageError } from '../errors';

/** One row of a paper table: a label and its top-1/top-5 errors in percent (null: not given). */
export interface PaperRow {
  label: string;
  /** Which of our variants (and protocol) this row compares with. */
  variant: string;
  protocol: string;
  top1: number | null;
  top5: number | null;
}

/** What a report draws for an experiment. */
export type ChartKind = 'convergence' | 'slopes' | 'responses';

/**
 * The keys in which the paper's own runs of one experiment differ from each other (model,
 * rectifier, initialisation, depth). A variant's `config` may set only these, so it can never
 * change what a scale fixes (widths, fc units, crops, jitter, schedule…).
 */
export const variantKeys = ['model', 'activation', 'slope', 'init', 'extraLayers'] as const;
export type VariantConfig = Pick<RunConfigInput, (typeof variantKeys)[number]>;

/** One run of an experiment, as the paper describes it, and what differs at cpu scale. */
export interface Variant {
  name: string;
  /** What distinguishes this run in the paper; applies at both scales. */
  config: VariantConfig;
  /**
   * CPU-scale departures for this run only (e.g. model B at 1/8 width where the cpu scale's
   * small net is at 1/2). Never applied at paper scale.
   */
  cpu?: RunConfigInput;
}

/** One experiment of the paper: the runs it trains, how it tests them, what the paper reported. */
export interface Experiment {
  name: string;
  title: string;
  /** Where in the paper (table/figure and section). */
  source: string;
  /** The runs, each a variant name and the settings that differ between them. */
  variants: Variant[];
  /**
   * The experiment whose runs this one reads instead of training its own (Table 1 and Figure 2
   * measure the Table 2 nets, Sec. 2.1): its variants are that experiment's, by name, built and
   * stored exactly as `reproduce <runsOf>` builds them (in `<out>/<runsOf>-<scale>/`), so the
   * nets are trained once and reused by whichever command comes second. This experiment still
   * makes its own tests and extras and writes its own report.
   */
  runsOf?: string;
  /** Settings shared by every variant, per scale. */
  scales: { cpu: RunConfigInput; paper: RunConfigInput };
  /** Test protocols reported (flags of `rectifier eval`). */
  protocols: ProtocolFlag[];
  /** Score the variants' models together as one ensemble (Table 7). */
  ensemble?: boolean;
  charts: ChartKind[];
  paper: { caption: string; rows: PaperRow[] };
}

/**
 * A variant's settings at a scale: the scale's and the experiment's test protocols, then the
 * variant's paper-level differences, then (cpu scale only) its cpu departures. A variant config
 * with a key outside `variantKeys` is refused, so a scale's setting cannot be overridden by
 * accident.
 */
export function variantConfig(e: Experiment, v: Variant, scale: 'cpu' | 'paper'): RunConfigInput {
  const stray = Object.keys(v.config).filter(
    (k) => !(variantKeys as readonly string[]).includes(k),
  );
  if (stray.length > 0) {
    throw new UsageError(
      `preset ${e.name}/${v.name}: a variant's \`config\` may set only ${variantKeys.join(', ')} (what the paper's runs differ in); put \`${stray.join('`, `')}\` in the scale's settings or the variant's \`cpu\` settings.`,
    );
  }
  return {
    ...e.scales[scale],
    // Stored with the run, so its config says which tests the experiment makes.
    protocols: e.protocols,
    ...v.config,
    ...(scale === 'cpu' ? v.cpu : {}),
    experiment: e.name,
    variant: v.name,
  };
}
