import { registerWasmTrainingKernels } from '@rectifier/backend';
import { expectNoLeak } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BuiltModel } from './buildArchitecture';
import { cpuScaleVariants } from './cpuScale';
import { FeatureMapTooSmallError } from './errors';
import { describeArchitecture, type ModelName, modelNames } from './modelRegistry';
import { buildModel, modelA, smallNet, vgg19 } from './models';
import './register';
import { summarize } from './summarize';

// Narrow enough that even VGG-19 and C build and run in milliseconds; shapes do not depend on width.
const tiny = { widthMultiplier: 1 / 32, fcUnits: 16, numClasses: 5, seed: 1 } as const;

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describe.each(modelNames.map((n) => [n]))('%s', (name: ModelName) => {
  let built: BuiltModel;
  beforeAll(() => {
    built = buildModel(name, { ...tiny, activation: 'prelu' });
  });
  afterAll(() => built.model.dispose());

  // vgg19 (pool5) has a fixed 224 input; the others take any size whose last map fits the pyramid.
  const sizes =
    name === 'vgg19'
      ? [224]
      : name === 'small' || name === 'deep'
        ? [224, 112, 150]
        : [224, 112, 130];

  test.each(sizes.map((s) => [s]))('output shapes at %d match summarize()', (size) => {
    const expected = summarize(built.spec, { inputSize: size });
    const lastTrunk = built.spec.trunk[built.spec.trunk.length - 1].name;
    const trunkOut = expected.layers.find((l) => l.name === lastTrunk);
    tf.tidy(() => {
      const x = tf.randomNormal([1, size, size, 3], 0, 1, 'float32', 3);
      const map = built.trunk.predict(x) as tf.Tensor;
      expect(map.shape).toEqual([1, ...(trunkOut?.outputShape ?? [])]);
      const y = built.head.predict(map) as tf.Tensor;
      expect(y.shape).toEqual([1, 5]);
      expect((built.model.predict(x) as tf.Tensor).shape).toEqual([1, 5]);
      expectSoftmax(y);
    });
  });

  test('summarize(model) counts the built weights and agrees with summarize(spec)', () => {
    const fromModel = summarize(built.model, { inputSize: 224 });
    const fromSpec = summarize(built.spec, { inputSize: 224 });
    expect(fromModel.totalParams).toBe(built.model.countParams());
    expect(fromModel.totalParams).toBe(fromSpec.totalParams);
    expect(fromModel.totalMultiplyAdds).toBe(fromSpec.totalMultiplyAdds);
    expect(fromModel.layers.map((l) => [l.name, l.outputShape, l.params])).toEqual(
      fromSpec.layers.map((l) => [l.name, l.outputShape, l.params]),
    );
  });

  test('trunk and head share the model weights', () => {
    expect(built.trunk.countParams() + built.head.countParams()).toBe(built.model.countParams());
    expect(built.model.trainableWeights.length).toBe(
      built.trunk.trainableWeights.length + built.head.trainableWeights.length,
    );
  });

  test('channel-wise PReLU: one slope per channel of every conv and fc1/fc2 layer', () => {
    const rows = summarize(built.model, { inputSize: 224 }).layers;
    const acts = rows.filter((l) => l.name.endsWith('_act'));
    expect(acts.length).toBe(rows.filter((l) => l.kind === 'conv2d').length + 2);
    for (const a of acts) expect(a.params, a.name).toBe(a.outputShape[a.outputShape.length - 1]);
  });
});

describe('forward and backward at CPU scale on wasm', () => {
  // Each model at 1/8 width (small/deep 1/4), batch 2, 112 crops (vgg19 with pool5: fixed 64).
  test.each(modelNames.map((n) => [n]))(
    '%s: finite gradients for every weight, no tensor leak',
    async (name) => {
      const width = name === 'small' || name === 'deep' ? 0.25 : 0.125;
      const size = name === 'vgg19' ? 64 : 112;
      const { model } = buildModel(name, {
        widthMultiplier: width,
        fcUnits: 64,
        numClasses: 10,
        seed: 7,
        inputSize: name === 'vgg19' ? size : null,
      });
      const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 11);
      const y = tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10);
      await expectNoLeak(() => {
        const { value, grads } = tf.variableGrads(() =>
          tf.losses.softmaxCrossEntropy(y, tf.log(model.apply(x, { training: true }) as tf.Tensor)),
        );
        const loss = value.dataSync()[0];
        expect(Number.isFinite(loss)).toBe(true);
        expect(Object.keys(grads)).toHaveLength(model.trainableWeights.length);
        let nonzero = 0;
        for (const g of Object.values(grads)) {
          const v = g.dataSync();
          expect(v.every(Number.isFinite)).toBe(true);
          if (v.some((e) => e !== 0)) nonzero++;
        }
        expect(nonzero).toBeGreaterThan(model.trainableWeights.length * 0.9);
        tf.dispose([value, ...Object.values(grads)]);
      });
      tf.dispose([x, y]);
      model.dispose();
    },
  );
});

describe('initialisation (Sec. 2.2)', () => {
  test('conv kernels follow MSRA for the activation; fc stds are 0.01, 0.01, 0.001; biases 0', () => {
    const { model } = modelA({
      widthMultiplier: 0.25,
      fcUnits: 256,
      numClasses: 100,
      seed: 5,
      activation: 'prelu',
    });
    const part = (name: string) => (name.startsWith('fc') ? 'head' : 'trunk');
    const weights = (name: string) =>
      (model.getLayer(part(name)) as tf.LayersModel).getLayer(name).getWeights();
    const std = (name: string) =>
      tf.tidy(() => tf.moments(weights(name)[0]).variance.sqrt().dataSync()[0]);
    const n = 3 * 3 * 128; // conv4_2 at 1/4 width: 3×3 kernel, 128 → 128 (fan-in = fan-out)
    expect(std('conv4_2') / Math.sqrt(2 / ((1 + 0.25 ** 2) * n))).toBeCloseTo(1, 1); // Eqn 16, a = 0.25
    expect(std('fc1') / 0.01).toBeCloseTo(1, 1);
    expect(std('fc3') / 0.001).toBeCloseTo(1, 1);
    for (const name of ['conv1', 'conv4_2', 'fc1', 'fc3'])
      expect(weights(name)[1].abs().max().dataSync()[0]).toBe(0);
    model.dispose();
  });
});

describe('CPU-scale variants and fixed input sizes', () => {
  test('every documented CPU-scale variant fits its crop size', () => {
    for (const v of Object.values(cpuScaleVariants)) {
      const s = summarize(describeArchitecture(v.model, v.options), { inputSize: v.cropSize });
      expect(s.layers[s.layers.length - 1].outputShape).toEqual([10]);
    }
  });

  test('a fixed inputSize too small for the pyramid fails before allocating weights', () => {
    const before = tf.memory().numTensors;
    expect(() => smallNet({ inputSize: 64 })).toThrow(FeatureMapTooSmallError);
    expect(() => vgg19({ top: 'spp', inputSize: 96 })).toThrow(FeatureMapTooSmallError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

function expectSoftmax(y: tf.Tensor) {
  const sums = y.sum(1).dataSync();
  for (const s of sums) expect(s).toBeCloseTo(1, 5);
}

describe('activations and serialization', () => {
  test('prelu-shared has one slope per layer, relu and lrelu none (13 slopes on the small net)', () => {
    for (const [activation, slopes] of [
      ['prelu-shared', 13],
      ['relu', 0],
      ['lrelu', 0],
    ] as const) {
      const { model, spec } = smallNet({ ...tiny, activation });
      const rows = summarize(model, { inputSize: 112 }).layers.filter((l) =>
        l.name.endsWith('_act'),
      );
      expect(rows.reduce((s, l) => s + l.params, 0)).toBe(slopes);
      expect(model.countParams()).toBe(summarize(spec).totalParams);
      model.dispose();
    }
  });

  test('a built model round-trips through JSON with its SPP and PReLU layers and weights', async () => {
    const { model } = buildModel('A', { ...tiny, sppBinning: 'sppnet' });
    const restored = await tf.models.modelFromJSON({
      modelTopology: model.toJSON(undefined, false) as unknown as tf.io.ModelJSON['modelTopology'],
    });
    restored.setWeights(model.getWeights());
    tf.tidy(() => {
      const x = tf.randomNormal([2, 120, 130, 3], 0, 1, 'float32', 2);
      const a = (model.predict(x) as tf.Tensor).dataSync();
      const b = (restored.predict(x) as tf.Tensor).dataSync();
      expect(Array.from(b)).toEqual(Array.from(a));
    });
    model.dispose();
    restored.dispose();
  });

  test('model(x) equals head(trunk(x))', () => {
    const { trunk, head, model } = buildModel('small', tiny);
    tf.tidy(() => {
      const x = tf.randomNormal([1, 97, 131, 3], 0, 1, 'float32', 4);
      const direct = (model.predict(x) as tf.Tensor).dataSync();
      const split = (head.predict(trunk.predict(x) as tf.Tensor) as tf.Tensor).dataSync();
      expect(Array.from(split)).toEqual(Array.from(direct));
    });
    model.dispose();
  });
});

describe('conv initialisers', () => {
  // conv2_1 of model A at 1/4 width: 3×3, 24 → 64 channels, so fan-in (216) ≠ fan-out (576).
  const fanIn = 3 * 3 * 24;
  const fanOut = 3 * 3 * 64;
  test.each([
    ['msra-fan-in', 'relu', Math.sqrt(2 / fanIn)], // Eqn 12
    ['msra-fan-out', 'relu', Math.sqrt(2 / fanOut)], // Eqn 16
    ['msra-fan-out', 'prelu', Math.sqrt(2 / ((1 + 0.25 ** 2) * fanOut))], // Eqn 16, a = 0.25
    ['msra-fan-in', 'lrelu', Math.sqrt(2 / ((1 + 0.25 ** 2) * fanIn))], // Table 2's LReLU a = 0.25
    ['xavier', 'relu', Math.sqrt(1 / fanIn)],
    ['gaussian', 'prelu', 0.01],
  ] as const)('%s with %s: std %f', (init, activation, expected) => {
    const { model } = modelA({
      widthMultiplier: 0.25,
      fcUnits: 16,
      numClasses: 10,
      init,
      activation,
      seed: 3,
    });
    const kernel = (model.getLayer('trunk') as tf.LayersModel).getLayer('conv2_1').getWeights()[0];
    expect(kernel.shape).toEqual([3, 3, 24, 64]);
    const std = tf.tidy(() => tf.moments(kernel).variance.sqrt().dataSync()[0]);
    expect(Math.abs(std / expected - 1)).toBeLessThan(0.03);
    model.dispose();
  });
});
