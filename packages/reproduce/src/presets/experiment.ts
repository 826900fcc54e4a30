import type { ProtocolFlag, RunConfigInput } from '../config';

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

/** One experiment of the paper: the runs it trains, how it tests them, what the paper reported. */
export interface Experiment {
  name: string;
  title: string;
  /** Where in the paper (table/figure and section). */
  source: string;
  /** The runs, each a variant name and the settings that differ between them. */
  variants: { name: string; config: RunConfigInput }[];
  /** Settings shared by every variant, per scale. */
  scales: { cpu: RunConfigInput; paper: RunConfigInput };
  /** Test protocols reported (flags of `rectifier eval`). */
  protocols: ProtocolFlag[];
  /** Score the variants' models together as one ensemble (Table 7). */
  ensemble?: boolean;
  charts: ChartKind[];
  paper: { caption: string; rows: PaperRow[] };
}
