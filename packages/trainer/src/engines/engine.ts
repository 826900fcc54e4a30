import type * as tf from '@tensorflow/tfjs';
import type { TrainSummary } from '../runRecords';
import type { StepGradients } from '../step';

/** What the loop tells the engine about the step it computes. */
export interface EngineStep {
  /** 1-based optimizer step. */
  step: number;
  lr: number;
  /** Seed base of this step's dropout masks. */
  dropoutSeed: number;
}

/**
 * Computes a mini-batch's gradients: in this process (`singleProcessEngine`), or split over
 * local worker processes or MPI ranks (`startParallel`). The loop applies the update and keeps
 * the records either way, so it has no multi-device branch.
 */
export interface Engine {
  /** The whole mini-batch's summed gradients, loss and error counts (the caller disposes the grads). */
  step(images: tf.Tensor, labels: tf.Tensor1D, info: EngineStep): Promise<StepGradients>;
  /** Fields this engine adds to the step's metrics line (multi-device: `commMs`). */
  stepMetrics(): { commMs?: number };
  /** After the last step: workers end, replicas are checked equal (they receive `summary`). */
  finish(step: number, summary: TrainSummary): Promise<void>;
  /** After a failure or an interruption: stops the workers. */
  fail(reason: string): Promise<void>;
}
