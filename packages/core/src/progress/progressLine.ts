/**
 * The JSON lines progress writes in `lines` mode, one vocabulary for training and testing:
 * every line is an object with a `type`. Parse a log with `JSON.parse(line) as ProgressLine`.
 */
export type ProgressLine = TrainingProgressLine | EpochLine | WarningLine | TestProgressLine;

/** Where a training run is (at most one per interval). */
export interface TrainingProgressLine extends TrainingUpdate {
  type: 'progress';
  totalSteps: number;
}

/** A training epoch ended; the fields are the caller's summary. */
export interface EpochLine {
  type: 'epoch';
  [field: string]: unknown;
}

/** A message that must be seen (a skipped corrupt checkpoint, skipped images). */
export interface WarningLine {
  type: 'warning';
  message: string;
}

/** Where a test pass is: images scored of `total` (null when unknown). `final` on the last line. */
export interface TestProgressLine {
  type: 'test-progress';
  label: string;
  images: number;
  total: number | null;
  seconds: number;
  imagesPerSec: number;
  /** null while the rate or the total is unknown. */
  etaSeconds: number | null;
  final: boolean;
}

/** What a training loop reports after a step. */
export interface TrainingUpdate {
  step: number;
  epoch: number;
  loss: number;
  imagesPerSec: number;
  lr: number;
}
