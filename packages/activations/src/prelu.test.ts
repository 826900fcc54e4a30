import { selectBackend } from '@rectifier/backend';
import { expectAllClose, expectNoLeak, saveAndLoad } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ActivationArgumentError,
  activation,
  isDecayFree,
  LeakyReLU,
  leakyReLU,
  PReLU,
  prelu,
  ReLU,
  relu,
} from './index';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
});

describe('PReLU layer', () => {
  test('channel-wise: one slope per channel, initialised to 0.25 (Sec. 2.1)', () => {
    const layer = prelu();
    layer.apply(tf.input({ shape: [null, null, 5] }));
    expect(layer.getWeights()[0].shape).toEqual([5]);
    expectAllClose(layer.getWeights()[0].dataSync(), [0.25, 0.25, 0.25, 0.25, 0.25]);
  });

  test('shared: one slope per layer; dense outputs: one per unit', () => {
    const shared = prelu({ shared: true, init: 0.1 });
    shared.apply(tf.input({ shape: [8, 8, 5] }));
    expect(shared.getWeights()[0].shape).toEqual([]);
    const dense = prelu();
    dense.apply(tf.input({ shape: [7] }));
    expect(dense.getWeights()[0].shape).toEqual([7]);
  });

  test('once built, accepts maps of any height and width', async () => {
    const layer = prelu();
    layer.apply(tf.input({ shape: [4, 4, 3] }));
    await expectNoLeak(() => {
      for (const [h, w] of [
        [4, 4],
        [9, 13],
        [1, 1],
      ]) {
        tf.tidy(() => {
          const y = layer.apply(tf.fill([2, h, w, 3], -4)) as tf.Tensor;
          expect(y.shape).toEqual([2, h, w, 3]);
          expectAllClose(y.dataSync().slice(0, 3), [-1, -1, -1]);
        });
      }
    });
  });

  test('slopes train: the layer gradient reaches the slope variable', () => {
    const layer = prelu({ shared: true });
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3] }), layer],
    });
    const x = tf.tensor2d([[1, -2, 3]]);
    const { grads } = tf.variableGrads(() => (model.apply(x) as tf.Tensor).sum() as tf.Scalar);
    const slope = model.trainableWeights.find((w) => isDecayFree(w));
    expect(slope).toBeDefined();
    expect(Object.keys(grads)).toContain(slope!.name);
    tf.dispose([x, ...Object.values(grads)]);
    model.dispose();
  });

  test('invalid arguments name the argument and the value', () => {
    expect(() => prelu({ init: Number.NaN })).toThrow(ActivationArgumentError);
    expect(() => prelu({ init: Number.NaN })).toThrow(/init=NaN/);
    expect(() => activation('swish' as 'relu')).toThrow(/kind="swish"/);
    expect(() => prelu().apply(tf.input({ shape: [null] }))).toThrow(/known last \(channel\) axis/);
  });
});

describe('activation(kind)', () => {
  test('builds each rectifier with its slope', () => {
    const x = tf.tensor2d([[-2, 3]]);
    const out = (kind: Parameters<typeof activation>[0], o = {}) =>
      Array.from((activation(kind, o).apply(x) as tf.Tensor).dataSync());
    expectAllClose(out('relu'), [0, 3]);
    expectAllClose(out('lrelu'), [-0.02, 3]);
    expectAllClose(out('lrelu', { alpha: 0.25 }), [-0.5, 3]);
    expectAllClose(out('prelu'), [-0.5, 3]);
    expectAllClose(out('prelu-shared', { init: 0.1 }), [-0.2, 3]);
    expect(activation('relu')).toBeInstanceOf(ReLU);
    expect(activation('lrelu')).toBeInstanceOf(LeakyReLU);
    expect((activation('prelu-shared') as PReLU).shared).toBe(true);
  });
});

describe('serialization', () => {
  test('class names do not shadow tfjs built-ins', () => {
    expect([PReLU.className, LeakyReLU.className, ReLU.className]).toEqual([
      'RectifierPReLU',
      'RectifierLeakyReLU',
      'RectifierReLU',
    ]);
    // tfjs's own PReLU still deserializes to tfjs's class.
    const builtin = tf.layers.prelu({});
    const json = { className: 'PReLU', config: builtin.getConfig() };
    const back = tf.serialization.SerializationMap.getMap().classNameMap.PReLU[0];
    expect(back).toBe(builtin.constructor);
    expect(json.className).toBe(builtin.getClassName());
  });

  test('save/load round-trip keeps layers, slopes and the decay-free marker', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input);
    h = prelu({ name: 'act1' }).apply(h);
    h = prelu({ shared: true, name: 'act2' }).apply(h);
    h = activation('lrelu', { alpha: 0.25 }).apply(h);
    h = activation('relu').apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h as tf.SymbolicTensor });
    // Move the slopes off their init so the round trip is seen to carry trained values.
    const slopes = model.weights.filter((w) => isDecayFree(w));
    expect(slopes.map((w) => w.originalName)).toEqual(['act1/prelu_alpha', 'act2/prelu_alpha']);
    slopes[0].write(tf.tensor1d([0.1, -0.2, 0.3, 0.4]));
    slopes[1].write(tf.scalar(0.05));

    const { loaded, artifacts } = await saveAndLoad(model);
    const text = JSON.stringify(artifacts.modelTopology);
    expect(text).toContain('RectifierPReLU');
    expect(text).toContain('RectifierLeakyReLU');
    expect(text).not.toMatch(/"class_name":"PReLU"/);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer',
      'Conv2D',
      'RectifierPReLU',
      'RectifierPReLU',
      'RectifierLeakyReLU',
      'RectifierReLU',
    ]);
    const loadedSlopes = loaded.trainableWeights.filter((w) => isDecayFree(w));
    expect(loadedSlopes.length).toBe(2);
    expectAllClose(loadedSlopes[0].read().dataSync(), [0.1, -0.2, 0.3, 0.4]);
    expectAllClose(loadedSlopes[1].read().dataSync(), [0.05]);
    expect(loaded.trainableWeights.filter((w) => !isDecayFree(w)).length).toBe(2);
    const x = tf.randomNormal([1, 5, 7, 3], 0, 1, 'float32', 1);
    expectAllClose(
      (loaded.predict(x) as tf.Tensor).dataSync(),
      (model.predict(x) as tf.Tensor).dataSync(),
    );
  });

  test('isDecayFree reads the documented name marker', () => {
    expect(isDecayFree({ name: 'conv1_act/prelu_alpha' })).toBe(true);
    expect(isDecayFree({ name: 'conv1_act/prelu_alpha_3' })).toBe(true);
    expect(isDecayFree({ name: 'conv1/kernel' })).toBe(false);
    expect(isDecayFree({ name: 'my_prelu_alpha_layer/kernel' })).toBe(false);
  });
});

describe('layer arguments and names', () => {
  test('a PReLU can be the first layer of a sequential model (inputShape)', () => {
    const model = tf.sequential({ layers: [prelu({ inputShape: [3] })] });
    const y = model.predict(tf.tensor2d([[-4, 0, 2]])) as tf.Tensor;
    expectAllClose(y.dataSync(), [-1, 0, 2]);
  });

  test('default layer names are readable and unique', () => {
    const names = [prelu(), prelu(), leakyReLU(), relu()].map((l) => l.name);
    expect(names[0]).toMatch(/^prelu_\d+$/);
    expect(names[1]).toMatch(/^prelu_\d+$/);
    expect(names[1]).not.toBe(names[0]);
    expect(names[2]).toMatch(/^leaky_relu_\d+$/);
    expect(names[3]).toMatch(/^relu_\d+$/);
  });
});
