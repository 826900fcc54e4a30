import { registerWasmTrainingKernels } from '@rectifier/backend';
import { expectAllClose, expectNoLeak, saveAndLoad } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { InputConv2D, inputConv2d } from './inputConv2d';
import { buildModel } from './models';
import './register';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

const stem = { filters: 8, kernelSize: 7, strides: 2, padding: 'same' as const };

/** The same 7×7 stride-2 stem as `inputConv2d` and as `tf.layers.conv2d`, sharing weights. */
function pair(input = [23, 19, 3]) {
  const x = tf.input({ shape: input });
  const ours = tf.model({ inputs: x, outputs: inputConv2d(stem).apply(x) as tf.SymbolicTensor });
  const plain = tf.model({
    inputs: x,
    outputs: tf.layers.conv2d(stem).apply(x) as tf.SymbolicTensor,
  });
  const weights = tf.tidy(() => [
    tf.randomNormal([7, 7, 3, 8], 0, 0.1, 'float32', 1),
    tf.randomNormal([8], 0, 0.1, 'float32', 2),
  ]);
  ours.setWeights(weights);
  plain.setWeights(weights);
  tf.dispose(weights);
  return { ours, plain };
}

function gradients(model: tf.LayersModel, x: tf.Tensor, target: tf.Tensor) {
  return tf.tidy(() => {
    const { grads, value } = tf.variableGrads(
      () => tf.losses.meanSquaredError(target, model.apply(x) as tf.Tensor) as tf.Scalar,
      model.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    return [value, ...Object.values(grads)].map((t) => t.dataSync().slice());
  });
}

describe('inputConv2d', () => {
  test('same outputs and weight gradients as tf.layers.conv2d', async () => {
    const { ours, plain } = pair();
    const x = tf.randomNormal([3, 23, 19, 3], 0, 1, 'float32', 3);
    const target = tf.randomNormal([3, 12, 10, 8], 0, 1, 'float32', 4);
    await expectNoLeak(() => {
      const a = tf.tidy(() => (ours.predict(x) as tf.Tensor).dataSync().slice());
      const b = tf.tidy(() => (plain.predict(x) as tf.Tensor).dataSync().slice());
      expectAllClose(a, b, { rtol: 1e-5, atol: 1e-6 });
      const ga = gradients(ours, x, target);
      const gb = gradients(plain, x, target);
      expect(ga.length).toBe(3); // loss, kernel, bias
      for (let i = 0; i < ga.length; i++) expectAllClose(ga[i], gb[i], { rtol: 1e-4, atol: 1e-6 });
    });
    tf.dispose([x, target]);
    ours.dispose();
    plain.dispose();
  });

  test('a training step never runs the input-gradient kernel (tfjs fused conv does)', async () => {
    const { ours, plain } = pair();
    const x = tf.randomNormal([2, 23, 19, 3], 0, 1, 'float32', 5);
    const target = tf.zeros([2, 12, 10, 8]);
    const kernelsOf = async (model: tf.LayersModel) =>
      (await tf.profile(() => gradients(model, x, target))).kernelNames;
    const mine = await kernelsOf(ours);
    const theirs = await kernelsOf(plain);
    expect(theirs).toContain('Conv2DBackpropInput');
    expect(mine).not.toContain('Conv2DBackpropInput');
    expect(mine).toContain('Conv2DBackpropFilter');
    tf.dispose([x, target]);
    ours.dispose();
    plain.dispose();
  });

  test('still passes the gradient on when its input is trained (not the first layer)', () => {
    const layer = inputConv2d({ ...stem, padding: 'valid' });
    const reference = tf.layers.conv2d({ ...stem, padding: 'valid' });
    const x = tf.randomNormal([2, 15, 16, 3], 0, 1, 'float32', 6);
    layer.apply(x);
    reference.apply(x);
    reference.setWeights(layer.getWeights());
    const dx = (l: tf.layers.Layer) =>
      tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(l.apply(t) as tf.Tensor)))(x));
    const [a, b] = [dx(layer), dx(reference)];
    expectAllClose(a.dataSync(), b.dataSync(), { rtol: 1e-4, atol: 1e-6 });
    tf.dispose([a, b, x]);
    layer.dispose();
    reference.dispose();
  });

  test('serializes as RectifierInputConv2D and loads back with the same outputs', async () => {
    const { ours, plain } = pair([16, 16, 3]);
    const { loaded, artifacts } = await saveAndLoad(ours);
    expect(JSON.stringify(artifacts.modelTopology)).toContain('"RectifierInputConv2D"');
    expect(loaded.layers[1]).toBeInstanceOf(InputConv2D);
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 7);
    const [a, b] = [ours.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expectAllClose(b.dataSync(), a.dataSync(), { rtol: 0, atol: 0 });
    tf.dispose([x, a, b]);
    for (const m of [ours, plain, loaded]) m.dispose();
  });

  test('buildModel uses it for the first convolution only', () => {
    const { model } = buildModel('small', { widthMultiplier: 1 / 16, fcUnits: 8, numClasses: 3 });
    const trunk = model.layers.find((l) => l instanceof tf.LayersModel) as tf.LayersModel;
    const convs = trunk.layers.filter((l) => /Conv2D$/.test(l.getClassName()));
    expect(convs[0].getClassName()).toBe('RectifierInputConv2D');
    expect(convs.slice(1).every((l) => l.getClassName() === 'Conv2D')).toBe(true);
    model.dispose();
  });
});
