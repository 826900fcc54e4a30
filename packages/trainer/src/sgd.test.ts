import { prelu } from '@rectifier/activations';
import { expectAllClose, expectNoLeak, maxRelativeError } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { TrainerArgumentError } from './errors';
import fixture from './fixtures/sgd.json';
import { sgd } from './sgd';
import { modelParts, stepGradients } from './step';
import type { NamedWeight, WeightKind } from './weights';
import { weightKind, weightName } from './weights';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function weight(name: string, values: number[], shape: number[]): NamedWeight {
  return { name, kind: weightKind({ name }), variable: tf.variable(tf.tensor(values, shape)) };
}

describe('sgd (Caffe form, Eqn 4)', () => {
  test('constant gradient: matches the closed form w_t = w0 − εg·[t/(1−μ) − μ(1−μ^t)/(1−μ)²]', () => {
    const [eps, mu, g, w0, steps] = [0.05, 0.9, 0.7, 1.5, 30];
    const w = weight('b/bias', [w0], [1]); // a bias: no decay by default
    const opt = sgd({ learningRate: eps, momentum: mu });
    opt.bind([w]);
    const grad = tf.tensor([g]);
    for (let t = 1; t <= steps; t++) {
      opt.apply({ 'b/bias': grad }, eps);
      const closed = w0 - eps * g * (t / (1 - mu) - (mu * (1 - mu ** t)) / (1 - mu) ** 2);
      // float32 accumulates one rounding per op per step (≈ 4·t half-ulps of |w| ≤ 10).
      expect(Math.abs(w.variable.dataSync()[0] - closed)).toBeLessThan(4 * t * 6e-8 * 10);
    }
    tf.dispose([grad, w.variable]);
    opt.dispose();
  });

  test('weight decay adds λ·w to the gradient (not 2λw as the l2 regularizer)', () => {
    const w = weight('k/kernel', [2], [1]);
    const opt = sgd({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 });
    opt.bind([w]);
    const zero = tf.tensor([0]);
    opt.apply({ 'k/kernel': zero }, 0.1);
    // v = −0.1·(0 + 0.01·2) = −0.002; w = 1.998
    expect(w.variable.dataSync()[0]).toBeCloseTo(1.998, 6);
    tf.dispose([zero, w.variable]);
    opt.dispose();
  });

  test('matches the hand-written Caffe update in torch (rate switch, decay multipliers)', async () => {
    const u = fixture.updates;
    const shapes = u.shapes as Record<string, number[]>;
    const weights = Object.keys(shapes).map((k) =>
      weight(k, (u.init as Record<string, number[]>)[k], shapes[k]),
    );
    const opt = sgd({
      learningRate: u.lrs[0],
      momentum: fixture.momentum,
      weightDecay: fixture.weightDecay,
      groups: [{ name: 'dense/kernel', decayMult: 2 }],
    });
    expect(opt.bind(weights).map((m) => [m.name, m.lrMult, m.decayMult])).toEqual([
      ['dense/kernel', 1, 2],
      ['dense/bias', 1, 0],
      ['prelu/prelu_alpha', 1, 0],
    ]);
    await expectNoLeak(() => {
      u.lrs.forEach((lr, step) => {
        const grads = Object.fromEntries(
          weights.map((w) => [
            w.name,
            tf.tensor((u.grads[step] as Record<string, number[]>)[w.name], shapes[w.name]),
          ]),
        );
        opt.apply(grads, lr);
        tf.dispose(Object.values(grads));
        if (step === 0) return; // the momentum buffers are created on the first step
        for (const w of weights) {
          const ours = w.variable.dataSync();
          // Same float32 ops in the same order as torch: at most a few roundings apart.
          expectAllClose(ours, (u.caffe[step] as Record<string, number[]>)[w.name], {
            rtol: 1e-6,
            atol: 1e-7,
          });
        }
      });
    }, 3); // the three momentum buffers, created on the first step and kept
    // After the switch the PyTorch form moves the old velocity by the new rate: it differs.
    const last = u.lrs.length - 1;
    const k = weights[0].variable.dataSync();
    expect(
      maxRelativeError(k, (u.pytorchSgd[last] as Record<string, number[]>)['dense/kernel']),
    ).toBeGreaterThan(1e-3);
    tf.dispose(weights.map((w) => w.variable));
    opt.dispose();
  });

  test('a dense + PReLU net trained with stepGradients matches torch autograd + Caffe update', async () => {
    const m = fixture.model;
    const input = tf.input({ shape: [5] });
    const h = tf.layers.dense({ units: 6, name: 'fc1' }).apply(input) as tf.SymbolicTensor;
    const a = prelu({ name: 'act' }).apply(h) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, name: 'fc2' }).apply(a) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const init = m.init as Record<string, number[]>;
    for (const lv of model.trainableWeights)
      lv.write(tf.tensor(init[lv.name], lv.shape as number[]));
    const parts = modelParts(model);
    const opt = sgd({ learningRate: m.lrs[0], momentum: m.momentum, weightDecay: m.weightDecay });
    opt.bind(parts.headWeights);
    const x = tf.tensor2d(m.x, [8, 5]);
    const y = tf.tensor1d(m.labels, 'int32');
    for (const [step, lr] of m.lrs.entries()) {
      const g = await stepGradients(parts, x, y);
      // The loss is a mean of 8 terms of order 1: float32 sums agree to ~1e-6.
      expect(g.loss).toBeCloseTo(m.steps[step].loss, 5);
      opt.apply(g.grads, lr);
      tf.dispose(Object.values(g.grads));
      for (const lv of model.trainableWeights) {
        // Gradients go through matmuls summed in another order: ~1e-6 relative per step.
        expectAllClose(
          lv.read().dataSync(),
          (m.steps[step].params as Record<string, number[]>)[weightName(lv)],
          {
            rtol: 2e-5,
            atol: 2e-6,
          },
        );
      }
    }
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});

describe('sgd groups and options', () => {
  const names: [string, WeightKind][] = [
    ['conv1/kernel', 'weight'],
    ['conv1/bias', 'bias'],
    ['act1/prelu_alpha', 'slope'],
    ['act1/prelu_alpha_1', 'slope'],
  ];
  const ws = () => names.map(([n]) => ({ name: n, kind: weightKind({ name: n }) }) as NamedWeight);

  test('kinds: PReLU slopes (isDecayFree) and biases are decay-free by default', () => {
    expect(names.map(([n]) => weightKind({ name: n }))).toEqual(names.map(([, k]) => k));
    const m = sgd({ learningRate: 0.01 }).bind(ws());
    expect(m.map((x) => x.decayMult)).toEqual([1, 0, 0, 0]);
    expect(m.map((x) => x.lrMult)).toEqual([1, 1, 1, 1]);
  });

  test('a user rule overrides a default; RegExp names', () => {
    const m = sgd({
      learningRate: 0.01,
      groups: [
        { kind: 'bias', lrMult: 2, decayMult: 1 },
        { name: /^act1\//, lrMult: 0.5 },
      ],
    }).bind(ws());
    expect(m.map((x) => [x.lrMult, x.decayMult])).toEqual([
      [1, 1],
      [2, 1],
      [0.5, 1],
      [0.5, 1],
    ]);
  });

  test('bad options are typed errors naming the argument and the fix', () => {
    expect(() => sgd({ learningRate: 0 })).toThrow(
      /`learningRate` must be a positive number.*learningRate=0/,
    );
    expect(() => sgd({ learningRate: '0.1' as unknown as number })).toThrow(/\(string\)/);
    expect(() => sgd({ learningRate: 0.1, momentum: 1 })).toThrow(TrainerArgumentError);
    expect(() => sgd({ learningRate: 0.1, weightDecy: 1 } as never)).toThrow(
      /unknown option `weightDecy`; did you mean `weightDecay`/,
    );
    expect(() =>
      sgd({ learningRate: 0.1, groups: [{ kind: 'bias', lr_mult: 2 } as never] }),
    ).toThrow(/groups\[0\]: unknown option `lr_mult`; did you mean `lrMult`/);
    expect(() => sgd({ learningRate: 0.1, groups: [{ lrMult: 2 }] })).toThrow(/selects nothing/);
  });

  test('a rule that matches no weight is an error naming it', () => {
    const opt = sgd({ learningRate: 0.1, groups: [{ name: 'conv9/kernel', lrMult: 2 }] });
    expect(() => opt.bind(ws())).toThrow(/matches no weight.*conv9\/kernel/);
  });
});
