import { listWebGpuAdapters, selectBackend } from '@rectifier/backend';
import { expectAllClose, expectNoLeak, onBackend, webGpuTests } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import './register';
import { spp } from './spatialPyramidPooling';
import { type SppCase as Case, sppCases, sppTieCases } from './testing/sppCases';

// SPP on @rectifier/backend's webgpu engine against the same PyTorch fixtures as the wasm and
// cpu tests: there the input gradient runs in backend's WGSL kernel, not the CPU routing.
const cases = [...sppCases, ...sppTieCases];

const webGpu = webGpuTests('SPP webgpu tests', await listWebGpuAdapters());

/** Output and input gradient, read asynchronously (webgpu has no synchronous read in Node). */
async function runCase(c: Case) {
  const layer = spp({ levels: c.levels, binning: c.binning });
  const x = tf.tensor4d(c.input, c.shape);
  const w = tf.tensor(c.weights, [c.shape[0], c.weights.length / c.shape[0]]);
  const y = layer.apply(x) as tf.Tensor;
  const grad = tf.grad((input: tf.Tensor) => (layer.apply(input) as tf.Tensor).mul(w).sum())(x);
  const result = { output: await y.data(), grad: await grad.data() };
  tf.dispose([x, w, y, grad]);
  return result;
}

describe.runIf(webGpu)('SpatialPyramidPooling on webgpu', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
  });

  test.each(cases.map((c) => [`${c.shape.join('×')} ${c.binning} [${c.levels}]`, c] as const))(
    'matches PyTorch outputs and input gradients, ties to the first maximum: %s',
    async (_, c) => {
      await onBackend('webgpu', () =>
        expectNoLeak(async () => {
          const { output, grad } = await runCase(c);
          expectAllClose(output, c.output, { rtol: 1e-6, atol: 1e-6 });
          expectAllClose(grad, c.inputGrad, { rtol: 1e-5, atol: 1e-5 });
          expect(Array.from(grad, (g) => g !== 0)).toEqual(c.inputGrad.map((g) => g !== 0));
        }),
      );
    },
  );
});
