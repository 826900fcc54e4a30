import * as tf from '@tensorflow/tfjs';
import { errorCounts } from '../loss';
import type { ModelParts } from '../step';
import type { Loader } from '../trainOptions';

/** Validation top-1/top-5 errors, as Fig. 4 plots them. */
export interface ValidationResult {
  top1: number;
  top5: number;
}

/**
 * The validation pass the loop runs at every epoch end (dropout off, one view per image). Its
 * result feeds the schedule (a plateau watches it), the epoch line and the best checkpoint, so
 * the loop awaits it before the observers hear of the epoch's end.
 */
export function validation(parts: ModelParts, loader: Loader): () => Promise<ValidationResult> {
  return async () => {
    let top1 = 0;
    let top5 = 0;
    let count = 0;
    for await (const batch of loader.epoch(0)) {
      const logits = tf.tidy(() => {
        const f =
          parts.trunk === null
            ? batch.images
            : (parts.trunk.apply(batch.images, { training: false }) as tf.Tensor);
        return parts.head.apply(f, { training: false }) as tf.Tensor2D;
      });
      const e = await errorCounts(logits, batch.labels);
      tf.dispose([logits, batch.images, batch.labels]);
      top1 += e.top1;
      top5 += e.top5;
      count += e.count;
    }
    return { top1: top1 / count, top5: top5 / count };
  };
}
