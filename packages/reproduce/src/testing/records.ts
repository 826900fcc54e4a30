import { parseRunConfig, type RunConfigInput } from '../config';
import type { EvalResult } from '../evaluate';
import type { RunRecord } from '../report';

/** A stored test result with the numbers a report reads. */
export function result(key: string, top1: number, top5: number, images = 500): EvalResult {
  return {
    key,
    protocol: key.startsWith('dense') ? 'dense' : key === 'ten-view' ? 'tenView' : 'center',
    label: key,
    top1Error: top1,
    top5Error: top5,
    images,
    settings: {},
    runs: [],
    checkpoint: [],
    perClass: [],
    wallTimeMs: 1,
  };
}

/** A run as `writeReport` loads it, without a run directory: for pooling and verdict tests. */
export function record(
  config: RunConfigInput,
  evals: EvalResult[],
  more: Partial<RunRecord> = {},
): RunRecord {
  const c = parseRunConfig(config, 'test record');
  return {
    dir: `runs/${c.experiment}/${c.variant}/seed-${c.seed}`,
    config: c,
    dataName: 'bundled Fashion-MNIST subset',
    classes: 10,
    summary: null,
    evals,
    epochs: [],
    losses: [],
    stepErrors: [],
    slopes: [],
    responses: null,
    versions: {},
    ...more,
  };
}
