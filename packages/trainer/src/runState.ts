import type { CheckpointState } from './checkpoint';
import type { SkipRecord } from './runRecords';

/** Mutable position of a run: what a checkpoint stores besides the tensors. */
export interface RunState {
  step: number;
  epoch: number;
  batchInEpoch: number;
  valError: number | null;
  elapsedMs: number;
  epochLoss: number;
  epochTop1: number;
  epochCount: number;
  best: { name: string; valError: number } | null;
  lastCheckpoint: string | null;
  lastVal: { top1: number; top5: number } | null;
  /** Examples the training loader skipped so far: in the whole run, and in the current epoch. */
  skipped: SkipRecord;
  epochSkipped: SkipRecord;
}

const noSkips = (): SkipRecord => ({ count: 0, examples: [] });

/** The state of a run before its first step. */
export function freshState(): RunState {
  return {
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    valError: null,
    elapsedMs: 0,
    epochLoss: 0,
    epochTop1: 0,
    epochCount: 0,
    best: null,
    lastCheckpoint: null,
    lastVal: null,
    skipped: noSkips(),
    epochSkipped: noSkips(),
  };
}

/** The fields of a checkpoint the run directory's files do not hold (see `checkpointPolicy`). */
export interface StoredRunState {
  epochStats: { loss: number; top1: number; count: number };
  best: RunState['best'];
  lastVal: RunState['lastVal'];
  /** Absent in checkpoints written before 0.2. */
  skipped?: { run: SkipRecord; epoch: SkipRecord };
}

/** The state a run resumes with, from checkpoint `name`. */
export function stateFromCheckpoint(loaded: CheckpointState, name: string): RunState {
  const extra = loaded as CheckpointState & StoredRunState;
  return {
    step: loaded.step,
    epoch: loaded.epoch,
    batchInEpoch: loaded.batchInEpoch,
    valError: loaded.valError,
    elapsedMs: loaded.elapsedMs,
    epochLoss: extra.epochStats.loss,
    epochTop1: extra.epochStats.top1,
    epochCount: extra.epochStats.count,
    best: extra.best,
    lastCheckpoint: name,
    lastVal: extra.lastVal,
    skipped: extra.skipped?.run ?? noSkips(),
    epochSkipped: extra.skipped?.epoch ?? noSkips(),
  };
}
