import * as tf from '@tensorflow/tfjs';

/** The members of tfjs's Engine that `gradients()` itself uses (stable across tfjs 2–4). */
interface EngineTape {
  state: { activeTape: unknown[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T>(name: string, f: () => T): T;
}

/** A forward pass recorded for one backward pass that comes later, after an `await`. */
export interface RecordedForward {
  output: tf.Tensor;
  /** Gradients of `xs` given the output's gradient; frees the recording. Call at most once. */
  backward(dy: tf.Tensor): tf.Tensor[];
  /** Frees the recording without a backward pass (a collective failed). */
  dispose(): void;
}

/**
 * Runs `f` recording its tape, as `tf.engine().gradients` does for its forward half, and keeps
 * the tape so the backward half can run once the output's gradient has arrived from another
 * rank. A hybrid step otherwise runs the trunk forward twice: once for the features it sends,
 * once inside `gradients` when the feature gradients come back (a third of the trunk's time).
 * Between the halves the tape is not recording (gradientDepth is back to 0), so other work — the
 * head's own `gradients` on rank 0 — neither joins nor clears it.
 */
export function recordForward(f: () => tf.Tensor, xs: tf.Variable[]): RecordedForward {
  const engine = tf.engine() as unknown as EngineTape;
  if (engine.state.gradientDepth !== 0) {
    throw new Error('recordForward: called inside another gradient computation');
  }
  const output = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  const tape = engine.state.activeTape as { saved?: tf.Tensor[] }[];
  engine.state.activeTape = null;
  let done = false;
  const free = () => {
    if (done) return;
    done = true;
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    output.dispose();
  };
  return {
    output,
    backward(dy) {
      if (done) throw new Error('recordForward: backward() after backward() or dispose()');
      done = true;
      // gradients() starts a fresh tape; the recorded nodes join it, so its filtering,
      // backprop and clean-up (disposing the saved tensors) run exactly as for one call.
      const { value, grads } = tf.engine().gradients(
        () => {
          (engine.state.activeTape as unknown[]).push(...tape);
          return output;
        },
        xs,
        dy,
      );
      value.dispose();
      return grads;
    },
    dispose: free,
  };
}
