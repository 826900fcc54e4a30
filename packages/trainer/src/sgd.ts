import * as tf from '@tensorflow/tfjs';
import { TrainerArgumentError } from './errors';
import { checkKeys, checkNumber } from './options';
import type { NamedWeight, WeightKind } from './weights';

/**
 * A parameter-group rule (Caffe's per-blob `lr_mult` / `decay_mult`). A weight matches when
 * every selector given matches: `name` (exact string or RegExp on the weight name, e.g.
 * `conv1/kernel`) and `kind` (`weight`, `bias`, `slope`). The first matching rule wins; rules
 * given in `groups` come before the defaults.
 */
export interface GroupRule {
  name?: string | RegExp;
  kind?: WeightKind;
  /** Multiplies the learning rate for matched weights. Default 1. */
  lrMult?: number;
  /** Multiplies the weight decay for matched weights. Default 1. */
  decayMult?: number;
}

export interface SgdOptions {
  /** Base learning rate ε (> 0). The paper starts at 1e-2 (Sec. 3); a schedule scales it. */
  learningRate: number;
  /** μ in [0, 1). Default 0.9 (Sec. 3). */
  momentum?: number;
  /** λ ≥ 0. Default 5e-4 (Sec. 3): Caffe's decay, i.e. λ·w added to the gradient. */
  weightDecay?: number;
  /** Rules tried before the defaults (see {@link defaultGroups}). */
  groups?: GroupRule[];
}

/**
 * The default rules, after any user rule: PReLU slopes get no weight decay (Sec. 2.1: "we do not
 * use weight decay (l2 regularization) when updating a_i"), biases get none either (Caffe's usual
 * `decay_mult: 0` on biases); every multiplier not set is 1 (so biases keep the base learning
 * rate — the paper does not state a bias `lr_mult`). Override a default with a rule of the same
 * selector in `groups`, e.g. `{ kind: 'bias', decayMult: 1 }`.
 */
export const defaultGroups: readonly GroupRule[] = [
  { kind: 'slope', decayMult: 0 },
  { kind: 'bias', decayMult: 0 },
];

/** The multipliers a weight ended up with. */
export interface WeightMultipliers {
  name: string;
  kind: WeightKind;
  lrMult: number;
  decayMult: number;
}

/** Optimizer state as plain data: one momentum buffer per weight, by name. */
export interface SgdState {
  buffers: { name: string; shape: number[]; data: Float32Array }[];
}

const ruleKeys = ['name', 'kind', 'lrMult', 'decayMult'] as const;

/**
 * One parameter's whole update as one kernel, where a backend registers it: @rectifier/backend
 * does on wasm (one call instead of six; one threaded native pass under its oneDNN engine).
 * Inputs w, g, v; attrs learningRate (ε·lr_mult), weightDecay (λ·decay_mult), momentum;
 * outputs [w', v'], the same float32 operations in the same order as the composite in `apply`.
 */
const sgdUpdateKernel = 'RectifierSgdUpdate';

function describeRule(r: GroupRule): string {
  return JSON.stringify({ ...r, name: r.name instanceof RegExp ? String(r.name) : r.name });
}

function matches(r: GroupRule, w: { name: string; kind: WeightKind }): boolean {
  if (r.kind !== undefined && r.kind !== w.kind) return false;
  if (r.name === undefined) return true;
  return typeof r.name === 'string' ? r.name === w.name : r.name.test(w.name);
}

/**
 * SGD with momentum in Caffe's form — the paper's Eqn 4 with the learning rate inside the buffer:
 *
 *   v ← μ·v − ε·lr_mult·(g + λ·decay_mult·w)
 *   w ← w + v
 *
 * `tf.train.momentum` is the other (PyTorch) form, v ← μ·v + g, w ← w − ε·v, which differs
 * right after each learning-rate switch (the old velocity is not rescaled); the `l2` regularizer
 * would add 2λw, not λw. Buffers start at zero, as Caffe's.
 */
export class SgdOptimizer {
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly groups: readonly GroupRule[];
  private buffers = new Map<string, tf.Variable>();
  private bound: { weight: NamedWeight; m: WeightMultipliers }[] = [];

  constructor(options: SgdOptions) {
    checkKeys('sgd', options, ['learningRate', 'momentum', 'weightDecay', 'groups']);
    const what = 'sgd';
    this.learningRate = checkNumber(
      what,
      'learningRate',
      options.learningRate,
      'a positive number (the paper starts at 0.01)',
      (v) => v > 0,
    );
    this.momentum = checkNumber(
      what,
      'momentum',
      options.momentum ?? 0.9,
      'a number in [0, 1)',
      (v) => v >= 0 && v < 1,
    );
    this.weightDecay = checkNumber(
      what,
      'weightDecay',
      options.weightDecay ?? 5e-4,
      'a non-negative number',
      (v) => v >= 0,
    );
    const groups = options.groups ?? [];
    if (!Array.isArray(groups)) {
      throw new TrainerArgumentError(
        `sgd: \`groups\` must be an array of rules. Received: groups=${String(groups)} (${typeof groups})`,
      );
    }
    groups.forEach((r, i) => {
      checkKeys(`sgd: groups[${i}]`, r, ruleKeys);
      if (r.name === undefined && r.kind === undefined) {
        throw new TrainerArgumentError(
          `sgd: groups[${i}] selects nothing: give it a \`name\` (string or RegExp) or a \`kind\` ('weight', 'bias', 'slope'). Received: ${describeRule(r)}`,
        );
      }
      if (r.kind !== undefined && !['weight', 'bias', 'slope'].includes(r.kind)) {
        throw new TrainerArgumentError(
          `sgd: groups[${i}].kind must be 'weight', 'bias' or 'slope'. Received: kind=${JSON.stringify(r.kind)}`,
        );
      }
      for (const k of ['lrMult', 'decayMult'] as const) {
        if (r[k] !== undefined) {
          checkNumber(what, `groups[${i}].${k}`, r[k], 'a non-negative number', (v) => v >= 0);
        }
      }
    });
    this.groups = groups;
  }

  /**
   * Resolves every weight's multipliers. A rule in `groups` that matches no weight is an error
   * naming it (a typo in a name would otherwise silently train with the defaults).
   */
  bind(weights: NamedWeight[]): WeightMultipliers[] {
    const rules = [...this.groups, ...defaultGroups];
    const used = new Set<number>();
    this.bound = weights.map((weight) => {
      const i = rules.findIndex((r) => matches(r, weight));
      if (i >= 0) used.add(i);
      const r = i >= 0 ? rules[i] : {};
      return {
        weight,
        m: {
          name: weight.name,
          kind: weight.kind,
          lrMult: r.lrMult ?? 1,
          decayMult: r.decayMult ?? 1,
        },
      };
    });
    const unmatched = this.groups.filter((_, i) => !used.has(i));
    if (unmatched.length > 0) {
      throw new TrainerArgumentError(
        `sgd: ${unmatched.length === 1 ? 'this rule matches' : 'these rules match'} no weight of the model (or only weights an earlier rule took): ${unmatched.map(describeRule).join(', ')}. ` +
          `Weight names: ${weights
            .slice(0, 8)
            .map((w) => w.name)
            .join(', ')}${weights.length > 8 ? ', …' : ''}.`,
      );
    }
    return this.bound.map((b) => b.m);
  }

  /** Multipliers of the bound weights (after `bind`). */
  multipliers(): WeightMultipliers[] {
    return this.bound.map((b) => b.m);
  }

  /**
   * One update of every bound weight with gradient `grads[name]` at learning rate `lr` (the
   * base rate times the schedule's factor). Disposes nothing it was given.
   */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    const fused = tf.getKernel(sgdUpdateKernel, tf.getBackend()) !== undefined;
    const mu = tf.scalar(this.momentum);
    for (const { weight, m } of this.bound) {
      const g = grads[weight.name];
      if (g === undefined) {
        throw new TrainerArgumentError(`sgd: no gradient for weight \`${weight.name}\`.`);
      }
      const w = weight.variable;
      let v = this.buffers.get(weight.name);
      if (v === undefined) {
        // The zeros tensor is disposed by tidy; the variable keeps its data.
        v = tf.tidy(() => tf.variable(tf.zerosLike(w), false));
        this.buffers.set(weight.name, v);
      }
      const buffer = v;
      if (fused) {
        tf.tidy(() => {
          const [wNext, vNext] = tf.engine().runKernel(
            sgdUpdateKernel,
            { w, g, v: buffer },
            {
              learningRate: lr * m.lrMult,
              weightDecay: this.weightDecay * m.decayMult,
              momentum: this.momentum,
            },
          ) as tf.Tensor[];
          buffer.assign(vNext);
          w.assign(wNext);
        });
        continue;
      }
      tf.tidy(() => {
        const decayed =
          this.weightDecay * m.decayMult === 0 ? g : g.add(w.mul(this.weightDecay * m.decayMult));
        const next = buffer.mul(mu).sub(decayed.mul(lr * m.lrMult));
        buffer.assign(next);
        w.assign(w.add(next));
      });
    }
    mu.dispose();
  }

  /**
   * The momentum buffers as plain arrays (for a checkpoint), read together with `data()` (webgpu
   * in Node has no synchronous read).
   */
  async getState(): Promise<SgdState> {
    const entries = [...this.buffers];
    const data = await Promise.all(entries.map(([, v]) => v.data() as Promise<Float32Array>));
    return {
      buffers: entries.map(([name, v], i) => ({ name, shape: v.shape, data: data[i] })),
    };
  }

  /** Names and shapes of the momentum buffers (what `getState` returns, without the values). */
  bufferShapes(): { name: string; shape: number[] }[] {
    return [...this.buffers].map(([name, v]) => ({ name, shape: v.shape }));
  }

  /** Restores buffers written by `getState` (replacing any current ones). */
  setState(state: SgdState): void {
    this.disposeBuffers();
    for (const b of state.buffers) {
      this.buffers.set(
        b.name,
        tf.tidy(() => tf.variable(tf.tensor(b.data, b.shape), false)),
      );
    }
  }

  private disposeBuffers(): void {
    for (const v of this.buffers.values()) v.dispose();
    this.buffers.clear();
  }

  /** Frees the momentum buffers. */
  dispose(): void {
    this.disposeBuffers();
  }
}

/** `new SgdOptimizer(options)`: SGD with momentum in Caffe's form (see {@link SgdOptimizer}). */
export function sgd(options: SgdOptions): SgdOptimizer {
  return new SgdOptimizer(options);
}
