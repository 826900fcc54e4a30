import { registerWasmTrainingKernels } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { builtModelOf } from './builtModelOf';
import { loadModel } from './loadModel';
import { buildModel } from './models';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

/** `model.save` to memory, then `loadModel`: what a model written to disk comes back as. */
async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return loadModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

describe('builtModelOf', () => {
  test.each([
    ['small', { activation: 'prelu-shared', inputChannels: 1 }],
    ['A', { activation: 'lrelu', softmax: false, sppBinning: 'sppnet' }],
    ['vgg19', { activation: 'relu', inputSize: 224 }],
  ] as const)('%s: the loaded model’s spec and parts are the built one’s', async (name, extra) => {
    const built = buildModel(name, {
      widthMultiplier: 1 / 32,
      fcUnits: 8,
      numClasses: 5,
      seed: 2,
      ...extra,
    });
    const loaded = builtModelOf(await roundTrip(built.model), name);
    expect(loaded.spec.trunk).toEqual(built.spec.trunk);
    expect(loaded.spec.head).toEqual(
      built.spec.head.map((l) => (l.kind === 'dense' ? { ...l, stddev: 0 } : l)),
    );
    expect(loaded.spec.inputChannels).toBe(built.spec.inputChannels);
    expect(loaded.spec.inputSize).toBe(built.spec.inputSize);
    // VGG-19 with pool5 has no pyramid: its unused `sppLevels` default is not in the topology.
    const hasSpp = built.spec.head.some((l) => l.kind === 'spp');
    const keys = ['activation', 'numClasses', 'fcUnits', 'dropout', 'softmax'] as const;
    for (const key of [...keys, ...(hasSpp ? (['sppLevels', 'sppBinning'] as const) : [])]) {
      expect(loaded.spec.options[key], key).toEqual(built.spec.options[key]);
    }
    const x = tf.randomNormal([1, 224, 224, built.spec.inputChannels], 0, 1, 'float32', 4);
    const [a, b] = [built, loaded].map((m) => m.trunk.predict(x) as tf.Tensor);
    expect(await b.data()).toEqual(await a.data());
    tf.dispose([x, a, b]);
    built.model.dispose();
    loaded.model.dispose();
  });

  test('a model without trunk and head parts is refused, naming its layers', () => {
    const input = tf.input({ shape: [4] });
    const plain = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 2, name: 'fc' }).apply(input) as tf.SymbolicTensor,
    });
    expect(() => builtModelOf(plain)).toThrow(
      /no nested `trunk` and `head` models \(its layers: fc\)/,
    );
  });
});
