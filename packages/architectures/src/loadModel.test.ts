import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expectAllClose } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  buildModel,
  loadModel,
  ModelFileError,
  type ModelMetadata,
  readModelMetadata,
  setModelMetadata,
} from './index';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'rectifier-load-model-'));

beforeAll(async () => {
  await tf.setBackend('cpu'); // the fresh process below runs on cpu too: same arithmetic
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PReLU + MSRA small net at 1/16 width: every Rectifier class a saved model names. */
const smallPReLUNet = (seed: number) =>
  buildModel('small', {
    widthMultiplier: 1 / 16,
    fcUnits: 16,
    numClasses: 4,
    activation: 'prelu',
    init: 'msra-fan-in',
    seed,
  }).model;

/** Runs an ES module in a new Node process that resolves this package from source; its stdout. */
async function inFreshProcess(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--conditions=@rectifier/source', '--input-type=module', '-e', script],
    { cwd: packageDir },
  );
  return stdout;
}

/** What `model.save` hands a save handler: topology, weight specs and data, metadata. */
async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved as tf.io.ModelArtifacts;
}

// What a user does the next day: a new process that imports only tfjs and this package.
test('loadModel rebuilds a saved PReLU + MSRA + SPP net in a fresh process', async () => {
  const model = smallPReLUNet(3);
  const artifacts = await artifactsOf(model);
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

  const stdout = await inFreshProcess(`
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '@rectifier/architectures';
const saved = JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));
const weightData = new Uint8Array(Buffer.from(saved.weightData, 'base64')).buffer;
const model = await loadModel(tf.io.fromMemory({ ...saved, weightData }));
const x = tf.randomUniform([2, 84, 84, 3], 0, 1, 'float32', 9);
const classes = JSON.stringify(model.toJSON(null, false));
console.log(JSON.stringify({ y: Array.from(model.predict(x).dataSync()), topology: classes }));
`);
  const result = JSON.parse(stdout) as { y: number[]; topology: string };
  for (const name of ['RectifierPReLU', 'RectifierMsra', 'RectifierInputConv2D']) {
    expect(result.topology).toContain(`"class_name":"${name}"`);
  }
  expect(result.topology).toContain('"class_name":"RectifierSpatialPyramidPooling"');
  expectAllClose(result.y, expected);
  x.dispose();
  model.dispose();
});

const metadata: ModelMetadata = {
  format: 1,
  classes: ['cat', 'dog', 'eel', 'fox'],
  preprocessing: {
    inputSize: 84,
    resizeShorter: 96,
    crop: 84,
    channels: 3,
    colorOrder: 'RGB',
    range: [0, 255],
    mean: { perChannel: [120.5, 115.25, 100] },
  },
};

/**
 * Saves `model` as files the way `rectifier export` and tfjs-node do: model.json plus weight
 * shards, here split in two groups of several files each, so a loader that reads only the
 * first file, or concatenates in another order, gets other weights.
 */
async function saveAsFiles(model: tf.LayersModel, dir: string): Promise<string> {
  const artifacts = await artifactsOf(model);
  const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
  const specs = artifacts.weightSpecs as tf.io.WeightsManifestEntry[];
  const half = Math.floor(specs.length / 2);
  const sizeOf = (s: tf.io.WeightsManifestEntry) => s.shape.reduce((p, d) => p * d, 1) * 4;
  const split = specs.slice(0, half).reduce((n, s) => n + sizeOf(s), 0);
  const groups = [
    { weights: specs.slice(0, half), bytes: bytes.subarray(0, split), name: 'a' },
    { weights: specs.slice(half), bytes: bytes.subarray(split), name: 'b' },
  ];
  mkdirSync(dir, { recursive: true });
  const manifest = groups.map((g) => {
    const cut = Math.ceil(g.bytes.byteLength / 3);
    const paths = [0, 1, 2].map((i) => `group-${g.name}-shard${i + 1}of3.bin`);
    paths.forEach((p, i) => {
      writeFileSync(join(dir, p), g.bytes.subarray(i * cut, (i + 1) * cut));
    });
    return { paths, weights: g.weights };
  });
  const file = join(dir, 'model.json');
  writeFileSync(
    file,
    JSON.stringify({
      modelTopology: artifacts.modelTopology,
      format: 'layers-model',
      weightsManifest: manifest,
      userDefinedMetadata: artifacts.userDefinedMetadata,
    }),
  );
  return file;
}

// In Node without tfjs-node, tf.loadLayersModel('/path/model.json') fails ("Failed to parse URL").
test('loadModel(path) reads model.json and its weight shards with node:fs, metadata included', async () => {
  const model = smallPReLUNet(5);
  setModelMetadata(model, metadata);
  const file = await saveAsFiles(model, join(work, 'files'));
  const x = tf.randomUniform([2, 84, 84, 3], 0, 1, 'float32', 4);
  const expected = (model.predict(x) as tf.Tensor).dataSync();

  // The same in a fresh process that imports only tfjs and this package.
  const stdout = await inFreshProcess(`
import * as tf from '@tensorflow/tfjs';
import { loadModel, readModelMetadata } from '@rectifier/architectures';
const model = await loadModel(${JSON.stringify(file)});
const x = tf.randomUniform([2, 84, 84, 3], 0, 1, 'float32', 4);
console.log(JSON.stringify({ y: Array.from(model.predict(x).dataSync()), meta: readModelMetadata(model) }));
`);
  const fresh = JSON.parse(stdout) as { y: number[]; meta: ModelMetadata };
  expectAllClose(fresh.y, expected);
  expect(fresh.meta).toEqual(metadata);

  // Here too, relative to the working directory and as a file:// URL.
  for (const source of [relative(process.cwd(), file), pathToFileURL(file).href]) {
    const loaded = await loadModel(source);
    const y = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync());
    expectAllClose(y, expected);
    expect(readModelMetadata(loaded).classes).toEqual(metadata.classes);
    loaded.dispose();
  }
  x.dispose();
  model.dispose();
});

test('loadModel(path) names a missing model.json or weight file; readModelMetadata a missing record', async () => {
  await expect(loadModel(join(work, 'nowhere', 'model.json'))).rejects.toThrow(ModelFileError);
  const { model } = buildModel('small', {
    widthMultiplier: 1 / 16,
    fcUnits: 16,
    numClasses: 4,
    seed: 1,
  });
  const file = await saveAsFiles(model, join(work, 'no-metadata'));
  const loaded = await loadModel(file);
  expect(() => readModelMetadata(loaded)).toThrow(/no `userDefinedMetadata.rectifier`/);
  loaded.dispose();
  rmSync(join(work, 'no-metadata', 'group-b-shard2of3.bin'));
  await expect(loadModel(file)).rejects.toThrow(/names the weight file group-b-shard2of3\.bin/);
  expect(() =>
    setModelMetadata(model, { ...metadata, classes: [1] as never, format: 2 as never }),
  ).toThrow(/format must be 1 .*; classes must be an array of strings/);
  model.dispose();
});
