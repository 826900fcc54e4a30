// The page tools/ci/browser-check.mjs bundles with esbuild (platform browser) and opens in
// headless Chromium: Rectifier's browser-capable packages, as a web app imports them, train
// the small PReLU-net at CPU scale on the wasm backend with Rectifier's kernels, on in-page data.
// The result goes to window.__rectifier (read by the check) and the page's text.
import { isDecayFree, prelu } from '@rectifier/activations';
import { summarize } from '@rectifier/architectures';
import { selectBackend, wasmTrainingKernels } from '@rectifier/backend';
import { deriveSeed } from '@rectifier/core';
import { msra } from '@rectifier/initializers';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { report, smallPreluNet } from './smallNet.mjs';

const steps = 4;
const batch = 4;

async function main() {
  // The .wasm binaries are served next to this page.
  setWasmPaths(new URL('./', window.location.href).href);
  const info = await selectBackend({ prefer: 'wasm' });

  // activations + initializers on their own: one MSRA dense layer and a PReLU.
  const probe = tf.tidy(() => {
    const dense = tf.layers.dense({
      units: 4,
      kernelInitializer: msra({ seed: 2 }),
      inputShape: [3],
    });
    const out = prelu({ init: 0.25 }).apply(dense.apply(tf.ones([2, 3])));
    return out.shape.join('x');
  });

  const { model, size, step } = smallPreluNet(batch);
  const losses = [];
  const tensors = [];
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    losses.push(await step());
    tensors.push(tf.memory().numTensors);
  }
  const seconds = (performance.now() - started) / 1000;
  const slopes = model.trainableWeights.filter((w) => isDecayFree(w)).length;
  return {
    ok: true,
    backend: tf.getBackend(),
    selected: info.name,
    kernels: wasmTrainingKernels(),
    probe,
    multiplyAdds: summarize(model, { inputSize: size }).totalMultiplyAdds,
    slopes,
    losses,
    tensors,
    seconds,
    // The seed policy must give the same seeds in every engine; browser-check compares with Node.
    seeds: [0, 1, 2].map((layer) => deriveSeed(1, 'init', layer)),
  };
}

report(main);
