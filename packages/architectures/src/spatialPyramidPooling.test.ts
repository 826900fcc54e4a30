import { registerWasmTrainingKernels } from '@rectifier/backend';
import { expectAllClose, expectNoLeak, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ArchitecturesArgumentError, FeatureMapTooSmallError } from './errors';
import './register';
import { SpatialPyramidPooling, spp } from './spatialPyramidPooling';
import { binEdges, uncoveredPixels } from './sppBins';
import {
  type SppCase as Case,
  sppCases as cases,
  sppTieCases as tieCases,
} from './testing/sppCases';

function runCase(c: Case) {
  const layer = spp({ levels: c.levels, binning: c.binning });
  const x = tf.tensor4d(c.input, c.shape);
  const w = tf.tensor(c.weights, [c.shape[0], c.weights.length / c.shape[0]]);
  const y = layer.apply(x) as tf.Tensor;
  const grad = tf.grad((input: tf.Tensor) => (layer.apply(input) as tf.Tensor).mul(w).sum())(x);
  const result = { shape: y.shape, output: y.dataSync(), grad: grad.dataSync() };
  tf.dispose([x, w, y, grad]);
  return result;
}

describe('binEdges', () => {
  test('adaptive bins cover the map exactly, n of them, for every a ≥ n', () => {
    for (let n = 1; n <= 7; n++) {
      for (let a = n; a <= 40; a++) {
        const edges = binEdges(a, n, 'adaptive');
        expect(edges).toHaveLength(n);
        expect(edges[0][0]).toBe(0);
        expect(edges[n - 1][1]).toBe(a);
        expect(uncoveredPixels(a, n, 'adaptive')).toEqual([]);
      }
    }
  });

  test('sppnet binning drops rows at level 3 on 14 and level 6 on 17 and 10, as documented', () => {
    expect(binEdges(14, 3, 'sppnet')).toEqual([
      [0, 5],
      [4, 9],
      [8, 13],
    ]);
    expect(uncoveredPixels(14, 3, 'sppnet')).toEqual([13]);
    expect(uncoveredPixels(17, 6, 'sppnet')).toEqual([13, 14, 15, 16]);
    expect(uncoveredPixels(10, 6, 'sppnet')).toEqual([7, 8, 9]);
    expect(uncoveredPixels(14, 7, 'sppnet')).toEqual([]);
    expect(binEdges(12, 3, 'sppnet')).toEqual(binEdges(12, 3, 'adaptive'));
  });

  test('rejects a side shorter than the level', () => {
    expect(() => binEdges(5, 6)).toThrow(ArchitecturesArgumentError);
  });
});

describe('SpatialPyramidPooling', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  for (const backend of ['wasm', 'cpu']) {
    test.each(cases.map((c) => [`${c.shape.join('×')} ${c.binning} [${c.levels}]`, c] as const))(
      `matches PyTorch outputs and input gradients on ${backend}: %s`,
      async (_, c) => {
        await onBackend(backend, () =>
          expectNoLeak(() => {
            const { shape, output, grad } = runCase(c);
            const bins = c.levels.reduce((s, n) => s + n * n, 0);
            expect(shape).toEqual([c.shape[0], bins * c.shape[3]]);
            expectAllClose(output, c.output, { rtol: 1e-6, atol: 1e-6 });
            expectAllClose(grad, c.inputGrad, { rtol: 1e-5, atol: 1e-5 });
          }),
        );
      },
    );
  }

  // Tied maxima (tools/fixtures/architectures_spp_ties.py): PyTorch sends each bin's gradient to
  // its first maximum in row-major order. The separable max used to send it to every tied
  // position: on the all-zero 9×9 map the gradient summed to 415 (adaptive) / 143 (sppnet), not 63.
  for (const backend of ['wasm', 'cpu']) {
    test.each(
      tieCases.map(
        (c) => [`${c.name} ${c.shape.join('×')} ${c.binning} [${c.levels}]`, c] as const,
      ),
    )(`routes each bin's gradient to PyTorch's one maximum on ${backend}: %s`, async (_, c) => {
      await onBackend(backend, () =>
        expectNoLeak(() => {
          const { output, grad } = runCase(c);
          expect(Array.from(output)).toEqual(c.output);
          // Exact up to float32 rounding of the weights (|w| < 5, sums of ≤ 4 overlapping bins).
          expectAllClose(grad, c.inputGrad, { rtol: 0, atol: 2e-6 });
          // Non-zero exactly where PyTorch's are: the same positions, not just the same sums.
          expect(Array.from(grad, (g) => g !== 0)).toEqual(c.inputGrad.map((g) => g !== 0));
          if (c.name === 'zeros')
            expect(Array.from(grad).reduce((s, g) => s + g, 0)).toBe(c.inputGradSum);
        }),
      );
    });
  }

  test('works on any input size inside a model with unknown H and W', () => {
    const input = tf.input({ shape: [null, null, 4] as unknown as number[] });
    const output = spp({ levels: [3, 2, 1] }).apply(input) as tf.SymbolicTensor;
    expect(output.shape).toEqual([null, 4 * 14]);
    const model = tf.model({ inputs: input, outputs: output });
    for (const [h, w] of [
      [3, 3],
      [5, 8],
      [20, 11],
    ]) {
      const y = tf.tidy(() => (model.predict(tf.ones([2, h, w, 4])) as tf.Tensor).shape);
      expect(y).toEqual([2, 56]);
    }
    model.dispose();
  });

  test('a map smaller than a level gives FeatureMapTooSmallError, at build time and at run time', () => {
    const fixed = tf.input({ shape: [5, 9, 2] });
    expect(() => spp({ levels: [6, 1] }).apply(fixed)).toThrow(FeatureMapTooSmallError);
    const layer = spp({ levels: [6, 3] });
    const x = tf.zeros([1, 9, 5, 2]);
    expect(() => layer.apply(x)).toThrow(/at least 6×6.*Received: a 9×5 map/);
    const partlyKnown = tf.input({ shape: [null, 4, 2] as unknown as number[] });
    expect(() => spp({ levels: [6] }).apply(partlyKnown)).toThrow('Received: a ?×4 map');
    x.dispose();
  });

  test('rejects bad levels and binning with the value echoed', () => {
    expect(() => spp({ levels: [] })).toThrow('Received: levels=[]');
    expect(() => spp({ levels: [2, 0] })).toThrow(ArchitecturesArgumentError);
    expect(() => spp({ levels: [2], binning: 'caffe' as 'sppnet' })).toThrow(/binning="caffe"/);
  });

  test('serializes under its own class name and round-trips through JSON', async () => {
    expect(SpatialPyramidPooling.className).not.toBe(
      tf.layers.globalMaxPooling2d({}).getClassName(),
    );
    const model = tf.sequential({
      layers: [spp({ levels: [7, 3, 2, 1], binning: 'sppnet', inputShape: [14, 14, 2] })],
    });
    const json = model.toJSON(undefined, false) as unknown as tf.io.ModelJSON['modelTopology'];
    const restored = await tf.models.modelFromJSON({
      modelTopology: json as tf.io.ModelJSON['modelTopology'],
    });
    const layer = restored.layers[0] as SpatialPyramidPooling;
    expect(layer).toBeInstanceOf(SpatialPyramidPooling);
    expect(layer.levels).toEqual([7, 3, 2, 1]);
    expect(layer.binning).toBe('sppnet');
    model.dispose();
    restored.dispose();
  });
});
