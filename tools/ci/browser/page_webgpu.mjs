// The WebGPU page of tools/ci/browser-check.mjs: the small PReLU-net trains a few momentum-SGD
// steps on `webgpu` (SwiftShader in CI, through Chromium's navigator.gpu) and again on tfjs's
// cpu backend from the same seeds; the check compares the losses. A web app imports
// tfjs-backend-webgpu itself: @rectifier/backend's browser entry leaves that optional peer out.
import '@tensorflow/tfjs-backend-webgpu';
import { cpuScaleVariants } from '@rectifier/architectures';
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { report, smallPreluNet } from './smallNet.mjs';

const steps = 3;
const batch = 2;

async function train() {
  // A quarter of the wasm page's width and a 64-unit fc (about 3 M multiply-adds per image):
  // SwiftShader computes on the CPU, and Chromium loses a device whose work runs too long.
  const net = smallPreluNet(batch, {
    widthMultiplier: cpuScaleVariants.fashionMnist.options.widthMultiplier / 4,
    fcUnits: 64,
  });
  const losses = [];
  const tensors = [];
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    losses.push(await net.step());
    tensors.push(tf.memory().numTensors);
  }
  const seconds = (performance.now() - started) / 1000;
  net.dispose();
  return { losses, tensors, seconds };
}

async function main() {
  const info = await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
  const backend = tf.getBackend();
  const webgpu = await train();
  await selectBackend({ prefer: 'cpu' });
  const cpu = await train();
  return { ok: true, backend, selected: info.name, adapter: info.adapter, webgpu, cpu };
}

report(main);
