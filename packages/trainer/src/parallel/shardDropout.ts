import * as tf from '@tensorflow/tfjs';
import { dropoutLayers } from '../step';

/** Where this rank's shard sits in the whole mini-batch, read by {@link shardDropout}. */
export interface ShardWindow {
  offset: number;
  total: number;
}

/**
 * Makes every dropout layer of `models` draw its mask as if it saw the whole mini-batch: a
 * shard of `len` rows at `window.offset` is zero-padded to `window.total` rows, passed through
 * the layer's own call (tf.dropout draws the [total, …] uniform noise from the layer's seed, in
 * row-major order), and the shard's rows are sliced back out. Example i thus gets row i of the
 * one-process mask whatever the sharding — for tfjs's Dropout and for @rectifier/architectures'
 * SeededDropout alike, since neither call is reimplemented. Costs one dropout over `total` rows.
 */
export function shardDropout(models: (tf.LayersModel | null)[], window: ShardWindow): void {
  for (const layer of models.flatMap(dropoutLayers)) {
    const l = layer as unknown as {
      call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor;
    };
    const original = l.call.bind(layer);
    l.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const len = x.shape[0] as number;
      if (kwargs?.training !== true || len === window.total) return original(inputs, kwargs);
      return tf.tidy(() => {
        const pads = x.shape.map((_, i): [number, number] =>
          i === 0 ? [window.offset, window.total - window.offset - len] : [0, 0],
        );
        const full = original(tf.pad(x, pads), kwargs);
        return tf.slice(full, window.offset, len);
      });
    };
  }
}

/** The dropout window of each replica, installed once (see {@link shardDropout}). */
const windows = new WeakMap<object, ShardWindow>();

/** Installs the dropout window of `models` once per `key` and moves it for each step. */
export function setWindow(key: object, models: (tf.LayersModel | null)[], w: ShardWindow): void {
  let current = windows.get(key);
  if (current === undefined) {
    current = { offset: 0, total: 0 };
    windows.set(key, current);
    shardDropout(models, current);
  }
  current.offset = w.offset;
  current.total = w.total;
}
