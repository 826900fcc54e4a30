import { deriveSeed } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import type { Engine } from './engines/engine';
import { DivergenceError, RunDirectoryError, TrainingInterruptedError } from './errors';
import type { StopReason, TrainObserver } from './observers/observer';
import { validation } from './observers/validation';
import { type EpochLine, MAX_SKIP_EXAMPLES, type StepLine, type TrainSummary } from './runRecords';
import type { RunState } from './runState';
import type { TrainPlan } from './trainOptions';

import { weightsSha256 } from './weightsSha256';

/**
 * Dropout seed base of optimizer step `step`, from core's `deriveSeed(seed, 'dropout', step)`:
 * ≥ 1 (tfjs ignores seed 0), < 2^30 so offsets stay int32.
 */
function dropoutSeed(seed: number, step: number): number {
  return 1 + (deriveSeed(seed, 'dropout', step) % (2 ** 30 - 1));
}

/** Calls `event` on every observer that has it, in order, awaiting each (see TrainObserver). */
function emitter(observers: TrainObserver[]) {
  return async <K extends keyof TrainObserver>(
    event: K,
    ...args: Parameters<NonNullable<TrainObserver[K]>>
  ): Promise<void> => {
    for (const o of observers) {
      await (o[event] as ((...a: typeof args) => void | Promise<void>) | undefined)?.(...args);
    }
  };
}

/**
 * The training loop: takes the loader's batches from the state's position, has `engine` compute
 * each step's gradients, applies them, updates the state and tells the observers; at each epoch
 * end it validates, moves the schedule and tells them again. It stops after the last epoch,
 * at `maxSteps`, or after the step during which `signal` was aborted; the observers' `stop`
 * writes the checkpoint. Returns the summary, or rejects with {@link TrainingInterruptedError}.
 */
export async function trainLoop(
  plan: TrainPlan,
  s: RunState,
  engine: Engine,
  observers: TrainObserver[],
  elapsed: () => number,
): Promise<TrainSummary> {
  const { options, schedule } = plan;
  const opt = options.optimizer;
  const emit = emitter(observers);
  const validate =
    options.valLoader === undefined ? null : validation(plan.parts, options.valLoader);
  const reachedMax = () => plan.maxSteps !== null && s.step >= plan.maxSteps;

  /** Stops: the last checkpoint is written (observers), then the summary or the interruption. */
  const stop = async (reason: StopReason, epochLine: EpochLine | null) => {
    await emit('stop', { reason, step: s.step });
    if (reason === 'interrupted') {
      throw new TrainingInterruptedError(options.runDir, s.step, s.lastCheckpoint as string);
    }
    const partial = s.epochCount > 0; // maxSteps mid-epoch: the epoch's steps so far
    const summary: TrainSummary = {
      finished: true,
      stoppedBy: reason,
      steps: s.step,
      epochs: s.epoch,
      wallTimeMs: elapsed(),
      trainLoss: partial ? s.epochLoss / s.epochCount : (epochLine?.trainLoss ?? null),
      trainTop1Error: partial ? s.epochTop1 / s.epochCount : (epochLine?.trainTop1Error ?? null),
      valTop1Error: s.lastVal?.top1 ?? null,
      valTop5Error: s.lastVal?.top5 ?? null,
      bestCheckpoint: s.best?.name ?? null,
      lastCheckpoint: s.lastCheckpoint as string,
      weightsSha256: await weightsSha256(plan.parts.whole),
      skipped: s.skipped,
      backend: options.backendName ?? tf.getBackend(),
      ...(plan.fingerprint.backend !== (options.backendName ?? tf.getBackend())
        ? { backendRequested: plan.fingerprint.backend }
        : {}),
    };
    await engine.finish(s.step, summary); // multi-device: workers end, replicas agree
    await emit('end', summary);
    return summary;
  };

  try {
    await emit('start', { totalSteps: options.epochs * plan.stepsPerEpoch, doneSteps: s.step });
    if (options.signal?.aborted) return await stop('interrupted', null);
    for (let epoch = s.epoch; epoch < options.epochs; epoch++) {
      const skip = epoch === s.epoch ? s.batchInEpoch : 0;
      if (epoch !== s.epoch || skip === 0) {
        s.epoch = epoch;
        s.batchInEpoch = 0;
      }
      const batches =
        skip > 0
          ? options.trainLoader.epoch(epoch, { startBatch: skip })
          : options.trainLoader.epoch(epoch);
      let b = skip > 0 && batches.startBatch === skip ? skip : 0;
      // Read before each step at the share of the epoch trained, so a switch may fall mid-epoch;
      // a function of (epoch, batch) only, hence the same after a resume.
      const rateAt = (batch: number) =>
        opt.learningRate * schedule.factor(epoch + batch / Math.max(1, batches.length));
      let lr = rateAt(b);
      // Skips the loader reported before this session's first step of the epoch were counted
      // by the session that trained those batches (a loader without startBatch re-reads them).
      let skipsSeen = b === skip ? 0 : Number.NaN;
      const takeSkips = () => {
        const all = batches.report?.skipped ?? [];
        if (Number.isNaN(skipsSeen)) return;
        for (const k of all.slice(skipsSeen)) {
          const entry = { epoch, path: k.path, reason: k.reason };
          for (const r of [s.skipped, s.epochSkipped]) {
            r.count++;
            if (r.examples.length < MAX_SKIP_EXAMPLES) r.examples.push(entry);
          }
        }
        skipsSeen = all.length;
      };
      let stopping: StopReason | null = null;
      let waitFrom = performance.now();
      for await (const batch of batches) {
        if (b < skip) {
          tf.dispose([batch.images, batch.labels]);
          b++;
          if (b === skip) skipsSeen = batches.report?.skipped.length ?? 0;
          waitFrom = performance.now();
          continue;
        }
        lr = rateAt(b);
        const t0 = performance.now();
        const g = await engine.step(batch.images, batch.labels, {
          step: s.step + 1,
          lr,
          dropoutSeed: dropoutSeed(options.seed, s.step),
        });
        tf.dispose([batch.images, batch.labels]);
        if (!Number.isFinite(g.loss)) {
          tf.dispose(Object.values(g.grads));
          throw new DivergenceError(s.step + 1, g.loss, 'the loss', s.lastCheckpoint);
        }
        opt.apply(g.grads, lr);
        tf.dispose(Object.values(g.grads));
        s.step++;
        b++;
        takeSkips();
        s.batchInEpoch = b;
        s.epochLoss += g.loss * g.count;
        s.epochTop1 += g.top1;
        s.epochCount += g.count;
        const now = performance.now();
        const line: StepLine = {
          type: 'step',
          step: s.step,
          epoch,
          lr,
          loss: g.loss,
          top1Error: g.top1 / g.count,
          top5Error: g.top5 / g.count,
          imagesPerSec: (g.count * 1000) / (now - waitFrom),
          dataMs: t0 - waitFrom,
          stepMs: now - t0,
          timeMs: elapsed(),
          ...engine.stepMetrics(),
        };
        await emit('step', line);
        // Let the event loop run a signal handler (Ctrl-C wired to `signal`): batches already
        // in memory resolve as microtasks, which never give it a turn.
        if (options.signal !== undefined) await new Promise((r) => setImmediate(r));
        // A step that ends the epoch lets the epoch end (validation, lines) run before maxSteps.
        if (options.signal?.aborted) stopping = 'interrupted';
        else if (reachedMax() && b < batches.length) stopping = 'maxSteps';
        if (stopping !== null) break;
        waitFrom = performance.now();
      }
      takeSkips(); // batches whose every example was skipped at the epoch's end
      if (stopping !== null) return await stop(stopping, null);
      const val = validate === null ? null : await validate();
      schedule.epochEnd(epoch, val?.top1);
      const line: EpochLine = {
        type: 'epoch',
        epoch,
        step: s.step,
        lr,
        trainLoss: s.epochCount > 0 ? s.epochLoss / s.epochCount : null,
        trainTop1Error: s.epochCount > 0 ? s.epochTop1 / s.epochCount : null,
        valTop1Error: val?.top1 ?? null,
        valTop5Error: val?.top5 ?? null,
        timeMs: elapsed(),
        skipped: s.epochSkipped,
      };
      s.lastVal = val;
      s.valError = val?.top1 ?? null;
      s.epoch = epoch + 1;
      s.batchInEpoch = 0;
      s.epochLoss = 0;
      s.epochTop1 = 0;
      s.epochCount = 0;
      s.epochSkipped = { count: 0, examples: [] };
      const last = epoch + 1 === options.epochs;
      await emit('epochEnd', { line, last });
      if (last) return await stop('epochs', line);
      if (options.signal?.aborted) return await stop('interrupted', line);
      if (reachedMax()) return await stop('maxSteps', line);
    }
    throw new RunDirectoryError(options.runDir, 'The run has no epoch left to train');
  } finally {
    await emit('close');
  }
}
