import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadRunModel } from './run';

/**
 * Writes a run's model (softmax output, as users expect probabilities) in tfjs's LayersModel
 * format: `model.json` (topology + weights manifest) and `weights.bin`. Load it with
 * `tf.loadLayersModel` (a browser URL, or `tf.io.fromMemory` in Node) after importing
 * @rectifier/architectures, which registers the SPP and activation layers it uses.
 */
export async function exportRun(
  runDir: string,
  out: string,
  checkpoint = 'last',
): Promise<{ modelJson: string; weights: string; checkpoint: string; bytes: number }> {
  const { built, checkpoint: name } = await loadRunModel(runDir, checkpoint, true);
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
      };
      writeFileSync(modelJson, `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { modelJson, weights, checkpoint: name, bytes };
}
