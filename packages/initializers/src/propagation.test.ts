import { selectBackend } from '@rectifier/backend';
import { expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  gaussian,
  InitializerArgumentError,
  type LayerPropagation,
  msra,
  propagation,
  xavier,
} from './index';

/**
 * Circular 1-pixel padding, so every output of a 3×3 "valid" conv sees exactly n = k²·c inputs
 * and every input feeds exactly n̂ = k²·d outputs — the assumption of Eqn 10/14. With zero
 * padding the border positions would shrink both signals a little at each of the 30 layers.
 */
class WrapPad extends tf.layers.Layer {
  static className = 'TestWrapPad';
  override computeOutputShape(s: tf.Shape): tf.Shape {
    return [s[0], (s[1] as number) + 2, (s[2] as number) + 2, s[3]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const [, h, w] = x.shape;
    const rows = tf.concat([x.slice([0, h - 1], [-1, 1]), x, x.slice([0, 0], [-1, 1])], 1);
    return tf.concat(
      [rows.slice([0, 0, w - 1], [-1, -1, 1]), rows, rows.slice([0, 0, 0], [-1, -1, 1])],
      2,
    );
  }
}

type KernelInitializer = Parameters<typeof tf.layers.conv2d>[0]['kernelInitializer'];

const depth = 30;
const channels = 64;
const side = 10;

/** `init(seed)` makes each layer's initializer: a seeded initializer repeats its draw, so each layer gets its own seed. */
function stack(init: (seed: number) => unknown, seedBase = 100) {
  const layers: tf.layers.Layer[] = [];
  for (let l = 0; l < depth; l++) {
    layers.push(new WrapPad({}));
    layers.push(
      tf.layers.conv2d({
        name: `conv${l + 1}`,
        filters: channels,
        kernelSize: 3,
        padding: 'valid',
        useBias: false,
        kernelInitializer: init(seedBase + l) as KernelInitializer,
      }),
    );
    if (l < depth - 1) layers.push(tf.layers.reLU());
  }
  const input = tf.input({ shape: [side, side, channels] });
  const output = layers.reduce((h, layer) => layer.apply(h) as tf.SymbolicTensor, input);
  return tf.model({ inputs: input, outputs: output });
}

let input: tf.Tensor;
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  input = tf.randomNormal([4, side, side, channels], 0, 1, 'float32', 42);
});
afterAll(() => input.dispose());

const log2 = Math.log2;

/**
 * What theory guarantees at finite width, and how sharply. For a conv layer with i.i.d.
 * zero-mean weights of variance σ² after a ReLU (Sec. 2.2), the expected forward factor
 * Var[y_l] / Var[y_{l−1}] given the layers below is exactly ½·n·σ² (Eqn 10): the weights of layer
 * l are independent of its input, and flipping the sign of layer l−1's weights maps y_{l−1} to
 * −y_{l−1}, so E[ReLU(y)²] = ½·E[y²]. The same sign symmetry makes the factors of different layers
 * uncorrelated. So the mean of N measured factors is an unbiased estimate of ½·n·σ² with standard
 * error sd/√N, sd their sample standard deviation — but single factors scatter widely at width
 * 64 (sd ≈ 0.24 forward, ≈ 0.09 backward), and 30 of them compound: the forward product of one
 * MSRA stack ranges 0.06–4 over seeds, so bounds on single layers or on one product hold by luck.
 * The backward factors (Eqn 14) rest on the paper's independence assumption (Δy_l independent of
 * W_l), which holds approximately; they are tested the same way.
 *
 * z = 4.9: a correct initializer fails with probability ≈ 1e-6 (two-sided normal tail).
 */
const z = 4.9;

function meanCheck(values: number[], expected: number) {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const tolerance = (z * sd) / Math.sqrt(n);
  return { mean, tolerance, ok: Math.abs(mean - expected) < tolerance };
}

function expectMean(values: number[], expected: number, what: string) {
  const c = meanCheck(values, expected);
  expect(
    Math.abs(c.mean - expected),
    `${what}: mean ${c.mean.toFixed(4)}, expected ${expected} ± ${c.tolerance.toFixed(4)}`,
  ).toBeLessThan(c.tolerance);
  return c;
}

/** Forward factors (layers 2..L) and backward factors (layers 1..L−1), divided by `expected`. */
function factors(report: { layers: LayerPropagation[] }, expected: number) {
  return {
    forward: report.layers.slice(1).map((l) => (l.forwardFactor as number) / expected),
    backward: report.layers.slice(0, -1).map((l) => (l.backwardFactor as number) / expected),
  };
}

describe('propagation on a 30-layer ReLU conv stack (Sec. 2.2)', () => {
  // Four stacks of 29 factors each: N = 116, tolerance ≈ 4.9·0.24/√116 ≈ 0.11 forward, 0.04 backward.
  test('MSRA: forward and backward factors average ½·n·Var[w] = 1 (Eqn 10, 14), within 4.9 standard errors', async () => {
    const forward: number[] = [];
    const backward: number[] = [];
    for (let k = 0; k < 4; k++) {
      const model = stack((seed) => msra({ seed }), 1000 * k);
      const report = await expectNoLeak(() => propagation(model, input, { seed: k }));
      expect(report.layers).toHaveLength(depth);
      const f = factors(report, 1);
      forward.push(...f.forward);
      backward.push(...f.backward);
      for (const l of report.layers) {
        // ½·n·Var[w] of the sampled kernel: 36 864 draws, relative sd √(2/36 864) ≈ 0.007.
        expect(l.predictedForwardFactor).toBeGreaterThan(1 - 7 * 0.0074);
        expect(l.predictedForwardFactor).toBeLessThan(1 + 7 * 0.0074);
      }
      // Layer 1 sees unit-variance inputs, not rectified ones: Var[y_1] = n·Var[w]·E[x²] ≈ 2.
      expect(report.layers[0].forwardVariance).toBeGreaterThan(1.7);
      expect(report.layers[0].forwardVariance).toBeLessThan(2.3);
      model.dispose();
    }
    expectMean(forward, 1, 'MSRA forward factor');
    expectMean(backward, 1, 'MSRA backward factor');
  });

  test("the same check fails for tfjs's heNormal (truncated at 2σ: ½·n·Var[w] ≈ 0.77)", async () => {
    const model = stack((seed) => tf.initializers.heNormal({ seed }), 500);
    const f = factors(await propagation(model, input, { seed: 1 }), 1);
    // Backward alone: tolerance ≈ 4.9·0.07/√29 ≈ 0.06 against a 0.23 shortfall.
    expect(meanCheck(f.forward, 1).ok && meanCheck(f.backward, 1).ok).toBe(false);
    expectMean(f.backward, 0.7737, 'heNormal backward factor'); // Var of N(0,1) cut at ±2σ
    model.dispose();
  });

  /**
   * A stack initialised by `init` (propagation seed 3): its per-layer factors average `expected`
   * (named `shown` in messages), and both products stay below 2^`log2Bound`.
   */
  async function expectShrinking(
    init: Parameters<typeof stack>[0],
    expected: number,
    name: string,
    shown: string,
    log2Bound: number,
  ) {
    const model = stack(init);
    const report = await propagation(model, input, { seed: 3 });
    const f = factors(report, expected);
    expectMean(f.forward, 1, `${name} forward factor / ${shown}`);
    expectMean(f.backward, 1, `${name} backward factor / ${shown}`);
    expect(log2(report.forwardProduct)).toBeLessThan(log2Bound);
    expect(log2(report.backwardProduct)).toBeLessThan(log2Bound);
    model.dispose();
  }

  test('Xavier (std √(1/n)) halves both at every layer: factors average ½, the product ≈ 2^-29', async () => {
    // The product is Π of the factors; 29 halvings leave it far below MSRA's order 1.
    await expectShrinking((seed) => xavier({ seed }), 0.5, 'Xavier', '½', -20);
  });

  test('std 0.01 shrinks them far more (½·576·10⁻⁴ ≈ 0.029 per layer: 2^-148)', async () => {
    const expected = 0.5 * 9 * channels * 1e-4;
    await expectShrinking(
      (seed) => gaussian({ stddev: 0.01, seed }),
      expected,
      'std-0.01',
      '0.0288',
      -100,
    );
  });

  test('measured factors match the predicted ½·n·Var[w] of each layer (the sampled kernel)', async () => {
    const model = stack((seed) => msra({ seed: seed + 1000 }));
    const report = await propagation(model, input);
    const fwd = report.layers.slice(1).map((l) => l.forwardFactor! / l.predictedForwardFactor);
    const bwd = report.layers
      .slice(0, -1)
      .map((l) => l.backwardFactor! / l.predictedBackwardFactor);
    expectMean(fwd, 1, 'forward factor / predicted');
    expectMean(bwd, 1, 'backward factor / predicted');
    model.dispose();
  });

  test('a model without weight layers is rejected', () => {
    const i = tf.input({ shape: [4] });
    const model = tf.model({ inputs: i, outputs: tf.layers.reLU().apply(i) as tf.SymbolicTensor });
    expect(() => propagation(model, tf.zeros([1, 4]))).toThrow(InitializerArgumentError);
  });
});
