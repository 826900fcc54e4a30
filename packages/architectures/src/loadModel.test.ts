import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expectAllClose } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildModel } from './index';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'rectifier-load-model-'));

beforeAll(async () => {
  await tf.setBackend('cpu'); // the fresh process below runs on cpu too: same arithmetic
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

// What a user does the next day: a new process that imports only tfjs and this package.
test('loadModel rebuilds a saved PReLU + MSRA + SPP net in a fresh process', async () => {
  const { model } = buildModel('small', {
    widthMultiplier: 1 / 16,
    fcUnits: 16,
    numClasses: 4,
    activation: 'prelu',
    init: 'msra-fan-in',
    seed: 3,
  });
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts;
  const file = join(work, 'model.json');
  writeFileSync(
    file,
    JSON.stringify({
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs,
      weightData: Buffer.from(artifacts.weightData as ArrayBuffer).toString('base64'),
    }),
  );
  const x = tf.randomUniform([2, 84, 84, 3], 0, 1, 'float32', 9);
  const expected = (model.predict(x) as tf.Tensor).dataSync();

  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@rectifier/source',
      '--input-type=module',
      '-e',
      `
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '@rectifier/architectures';
const saved = JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));
const weightData = new Uint8Array(Buffer.from(saved.weightData, 'base64')).buffer;
const model = await loadModel(tf.io.fromMemory({ ...saved, weightData }));
const x = tf.randomUniform([2, 84, 84, 3], 0, 1, 'float32', 9);
const classes = JSON.stringify(model.toJSON(null, false));
console.log(JSON.stringify({ y: Array.from(model.predict(x).dataSync()), topology: classes }));
`,
    ],
    { cwd: packageDir },
  );
  const result = JSON.parse(stdout) as { y: number[]; topology: string };
  for (const name of ['RectifierPReLU', 'RectifierMsra', 'RectifierInputConv2D']) {
    expect(result.topology).toContain(`"class_name":"${name}"`);
  }
  expect(result.topology).toContain('"class_name":"RectifierSpatialPyramidPooling"');
  expectAllClose(result.y, expected);
  x.dispose();
  model.dispose();
});
