import { isDecayFree } from '@rectifier/activations';
import type * as tf from '@tensorflow/tfjs';
import { TrainerArgumentError } from './errors';

/** What a trainable weight is, for the optimizer's default multipliers. */
export type WeightKind = 'weight' | 'bias' | 'slope';

/** One trainable weight: its name in the model (`conv1/kernel`), its kind and its variable. */
export interface NamedWeight {
  name: string;
  kind: WeightKind;
  variable: tf.Variable;
}

/** `slope` for PReLU slopes (`isDecayFree`), `bias` for `…/bias`, else `weight`. */
export function weightKind(w: { name: string; originalName?: string }): WeightKind {
  if (isDecayFree(w)) return 'slope';
  return /(?:^|\/)bias(?:_\d+)?$/.test(w.name) ? 'bias' : 'weight';
}

/**
 * A weight's name without tfjs's uniqueness suffix: tfjs renames the weights of a model built
 * twice in one process `conv1/kernel_1`, … (`name`); `originalName` keeps `conv1/kernel`. The
 * trainer keys checkpoints, optimizer state and rules by this name, so a rebuilt model resumes.
 */
export function weightName(w: { name: string; originalName?: string }): string {
  return w.originalName ?? w.name;
}

/**
 * The trainable weights of one or more layer models in their order, as tf.Variables with
 * names. Names must be unique across the parts (they key checkpoints and optimizer state).
 */
export function namedWeights(...models: tf.LayersModel[]): NamedWeight[] {
  const out: NamedWeight[] = [];
  const seen = new Set<string>();
  for (const m of models) {
    for (const lv of m.trainableWeights) {
      const name = weightName(lv);
      if (seen.has(name)) {
        throw new TrainerArgumentError(
          `Two trainable weights share the name \`${name}\`; checkpoints key weights by name. Give the layers distinct names.`,
        );
      }
      seen.add(name);
      out.push({ name, kind: weightKind(lv), variable: lv.read() as tf.Variable });
    }
  }
  return out;
}
