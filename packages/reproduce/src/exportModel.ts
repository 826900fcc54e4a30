import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuiltModel, type ModelMetadata, setModelMetadata } from '@rectifier/architectures';
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from './config';
import { ReproduceError } from './errors';
import { loadRunModel, runStats } from './run';

/**
 * What a user needs to feed an exported model, as the run's test-time pipeline does
 * (model.ts's valLoaderOf): shorter side `resize`, centre `crop`, the training split's
 * per-channel mean (the app never uses the per-pixel one, see preprocessOf), RGB 0..255; a
 * run's `inputScale` is folded into conv1 (foldInputScale), so the metadata needs none.
 * The mean is the one the run recorded when it trained (config.json's `run.meta.stats`).
 */
async function metadataOf(
  runDir: string,
  config: RunConfig,
  classes: string[],
): Promise<ModelMetadata> {
  const stats = await runStats(runDir);
  return {
    format: 1,
    classes,
    preprocessing: {
      inputSize: config.crop,
      resizeShorter: config.resize,
      crop: config.crop,
      channels: 3,
      colorOrder: 'RGB',
      range: [0, 255],
      mean: { perChannel: stats.channelMean },
    },
  };
}

/**
 * A run trained on inputs × `inputScale` (the cpu recipe's 1/4 or 1/16) exports a model that takes the
 * metadata's mean-subtracted 0..255 pixels, as every export does: conv1(s·x) = (s·W) ∗ x + b,
 * zero padding included, so the scale moves exactly into conv1's kernel.
 */
function foldInputScale(built: BuiltModel, inputScale: number): void {
  if (inputScale === 1) return;
  const conv = built.trunk.layers.find(
    (l) => l.input === built.trunk.inputs[0] && /Conv2D$/.test(l.getClassName()),
  );
  if (conv === undefined) {
    throw new ReproduceError(
      `export: this model does not start with a convolution, so its inputScale (${inputScale}) cannot move into its weights; only models whose first layer is a convolution (every model of @rectifier/architectures) export with an inputScale other than 1.`,
    );
  }
  const [kernel, ...rest] = conv.getWeights();
  const scaled = tf.tidy(() => kernel.mul(inputScale));
  conv.setWeights([scaled, ...rest]);
  scaled.dispose();
}

/**
 * Writes a run's model (softmax output, as users expect probabilities) in tfjs's LayersModel
 * format: `model.json` (topology, weights manifest, and in `userDefinedMetadata.rectifier` the
 * class names and preprocessing) and `weights.bin`. Load it with `loadModel` of
 * @rectifier/architectures (a path in Node, a URL in a browser), which registers the SPP and
 * activation layers it uses; `readModelMetadata(model)` returns the metadata.
 */
export async function exportRun(
  runDir: string,
  out: string,
  checkpoint = 'last',
): Promise<{ modelJson: string; weights: string; checkpoint: string; bytes: number }> {
  const { built, checkpoint: name, config, classes } = await loadRunModel(runDir, checkpoint, true);
  foldInputScale(built, config.inputScale);
  setModelMetadata(built.model, await metadataOf(runDir, config, classes));
  mkdirSync(out, { recursive: true });
  const modelJson = join(out, 'model.json');
  const weights = join(out, 'weights.bin');
  let bytes = 0;
  await built.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = Buffer.from(artifacts.weightData as ArrayBuffer);
      bytes = data.byteLength;
      writeFileSync(weights, data);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: '@rectifier/reproduce',
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      writeFileSync(modelJson, `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { modelJson, weights, checkpoint: name, bytes };
}
