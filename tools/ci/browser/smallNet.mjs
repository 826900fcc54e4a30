// The small PReLU-net both browser pages train: Table 1's small net at the CPU-scale variant's
// width (or a fraction of it), MSRA init, seed 1, on in-page data — and one momentum-SGD step.
import { buildModel, cpuScaleVariants } from '@rectifier/architectures';
import * as tf from '@tensorflow/tfjs';

/** `overrides` replace the variant's options (width, fc units). */
export function smallPreluNet(batch, overrides = {}) {
  const variant = cpuScaleVariants.fashionMnist;
  const { model } = buildModel(variant.model, {
    ...variant.options,
    ...overrides,
    activation: 'prelu',
    init: 'msra-fan-out',
    softmax: false,
    seed: 1,
  });
  const size = variant.cropSize;
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 11);
  const labels = Array.from({ length: batch }, (_, i) => i % variant.options.numClasses);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), variant.options.numClasses);
  const optimizer = tf.train.momentum(0.01, 0.9);
  /** One step; resolves to its loss, read asynchronously (webgpu has no synchronous read). */
  const step = async () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })),
      true,
    );
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  };
  const dispose = () => {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  };
  return { model, size, step, dispose };
}

/** Runs a page's `main` and hands its result (or error) to browser-check.mjs via window.__rectifier. */
export function report(main) {
  main()
    .catch((error) => ({ ok: false, error: String(error?.stack ?? error) }))
    .then((result) => {
      console.log(`rectifier: ${JSON.stringify(result)}`);
      document.body.textContent = JSON.stringify(result, null, 2);
      window.__rectifier = result;
    });
}
