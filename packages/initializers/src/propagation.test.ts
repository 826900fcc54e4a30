import { selectBackend } from '@rectifier/backend';
import { expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gaussian, InitializerArgumentError, msra, propagation, xavier } from './index';

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
function stack(init: (seed: number) => unknown) {
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
        kernelInitializer: init(100 + l) as KernelInitializer,
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

describe('propagation on a 30-layer ReLU conv stack (Sec. 2.2)', () => {
  test('MSRA keeps forward and backward variance within [0.5, 2]× across all 30 layers', async () => {
    const model = stack((seed) => msra({ seed }));
    const report = await expectNoLeak(() => propagation(model, input, { seed: 3 }));
    expect(report.layers).toHaveLength(depth);
    const f0 = report.layers[0].forwardVariance;
    const bTop = report.layers[depth - 1].backwardVariance;
    for (const l of report.layers) {
      expect(l.forwardVariance / f0).toBeGreaterThan(0.5);
      expect(l.forwardVariance / f0).toBeLessThan(2);
      expect(l.backwardVariance / bTop).toBeGreaterThan(0.5);
      expect(l.backwardVariance / bTop).toBeLessThan(2);
      // ½·n·Var[w] ≈ 1 for each MSRA layer (the sampled kernel, not the formula).
      expect(l.predictedForwardFactor).toBeGreaterThan(0.85);
      expect(l.predictedForwardFactor).toBeLessThan(1.15);
    }
    // Layer 1 sees unit-variance inputs, not rectified ones: Var[y_1] = n·Var[w]·E[x²] ≈ 2.
    expect(f0).toBeGreaterThan(1.7);
    expect(f0).toBeLessThan(2.3);
    model.dispose();
  });

  test('Xavier (std √(1/n)) halves both at every layer: about 2^-(L-1) over the stack', () => {
    const model = stack((seed) => xavier({ seed }));
    const report = propagation(model, input, { seed: 3 });
    expect(Math.abs(log2(report.forwardProduct) + (depth - 1))).toBeLessThan(1.5);
    expect(Math.abs(log2(report.backwardProduct) + (depth - 1))).toBeLessThan(1.5);
    for (const l of report.layers.slice(1)) {
      // Single layers scatter (finite width); the product above is the sharp test.
      expect(l.forwardFactor!).toBeGreaterThan(0.25);
      expect(l.forwardFactor!).toBeLessThan(0.9);
    }
    model.dispose();
  });

  test('std 0.01 shrinks them far more (½·576·10⁻⁴ ≈ 0.029 per layer: 2^-148)', () => {
    const model = stack((seed) => gaussian({ stddev: 0.01, seed }));
    const report = propagation(model, input, { seed: 3 });
    const expected = (depth - 1) * log2(0.5 * 9 * channels * 1e-4);
    expect(log2(report.forwardProduct)).toBeLessThan(-100);
    expect(Math.abs(log2(report.forwardProduct) - expected)).toBeLessThan(5);
    expect(Math.abs(log2(report.backwardProduct) - expected)).toBeLessThan(5);
    model.dispose();
  });

  test('measured factors match the predicted ½·n·Var[w] of each layer', () => {
    const model = stack((seed) => msra({ seed: seed + 1000 }));
    const report = propagation(model, input);
    const fwd = report.layers.slice(1).map((l) => l.forwardFactor! / l.predictedForwardFactor);
    const bwd = report.layers
      .slice(0, -1)
      .map((l) => l.backwardFactor! / l.predictedBackwardFactor);
    const geoMean = (v: number[]) => 2 ** (v.reduce((s, x) => s + log2(x), 0) / v.length);
    expect(geoMean(fwd)).toBeGreaterThan(0.95);
    expect(geoMean(fwd)).toBeLessThan(1.05);
    expect(geoMean(bwd)).toBeGreaterThan(0.95);
    expect(geoMean(bwd)).toBeLessThan(1.05);
    model.dispose();
  });

  test('a model without weight layers is rejected', () => {
    const i = tf.input({ shape: [4] });
    const model = tf.model({ inputs: i, outputs: tf.layers.reLU().apply(i) as tf.SymbolicTensor });
    expect(() => propagation(model, tf.zeros([1, 4]))).toThrow(InitializerArgumentError);
  });
});
