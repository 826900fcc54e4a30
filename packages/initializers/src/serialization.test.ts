import { selectBackend } from '@rectifier/backend';
import { saveAndLoad } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { Gaussian, gaussian, Msra, msra, Xavier, xavier } from './index';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

type WithInit = { kernelInitializer: { getClassName(): string; getConfig(): object } };

describe('serialization', () => {
  test('class names do not shadow tfjs built-ins', () => {
    expect([Msra.className, Xavier.className, Gaussian.className]).toEqual([
      'RectifierMsra',
      'RectifierXavier',
      'RectifierGaussian',
    ]);
    expect(tf.serialization.SerializationMap.getMap().classNameMap.HeNormal[0]).toBe(
      tf.initializers.heNormal({}).constructor,
    );
  });

  test('a model with MSRA / Xavier / Gaussian kernels round-trips through JSON and save/load', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let h = tf.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        kernelInitializer: msra({ mode: 'fanOut', slope: 0.25, seed: 1 }),
      })
      .apply(input);
    h = tf.layers
      .conv2d({
        filters: 4,
        kernelSize: 2,
        kernelInitializer: xavier({ mode: 'average', distribution: 'uniform' }),
      })
      .apply(h);
    h = tf.layers.flatten().apply(h);
    h = tf.layers.dense({ units: 3, kernelInitializer: gaussian({ stddev: 0.001 }) }).apply(h);
    const model = tf.model({ inputs: input, outputs: h as tf.SymbolicTensor });

    const json = JSON.stringify(model.toJSON(null, false));
    expect(json).toContain('"class_name":"RectifierMsra"');
    expect(json).toContain('"class_name":"RectifierXavier"');
    expect(json).toContain('"class_name":"RectifierGaussian"');

    const { loaded } = await saveAndLoad(model);
    const inits = loaded.layers
      .filter((l) => 'kernelInitializer' in l)
      .map((l) => (l as unknown as WithInit).kernelInitializer);
    expect(inits.map((i) => i.getClassName())).toEqual([
      'RectifierMsra',
      'RectifierXavier',
      'RectifierGaussian',
    ]);
    expect(inits.map((i) => i.getConfig())).toEqual([
      { mode: 'fanOut', slope: 0.25, distribution: 'normal', seed: 1 },
      { mode: 'average', distribution: 'uniform', seed: null },
      { stddev: 0.001, distribution: 'normal', seed: null },
    ]);
    expect(inits[0]).toBeInstanceOf(Msra);
    const x = tf.ones([1, 8, 8, 3]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
  });
});
