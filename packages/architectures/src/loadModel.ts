// Bare imports on purpose: they register Rectifier's layer and initializer classes with tfjs
// (each package's register.ts), which is what tf.loadLayersModel needs to rebuild a saved net.
import '@rectifier/activations';
import '@rectifier/initializers';
import './register';
import * as tf from '@tensorflow/tfjs';
import { fileHandler, isNodeFilePath } from './fileHandler';

/**
 * Loads a model saved with `model.save(...)`: `tf.loadLayersModel` with every Rectifier class
 * registered — the layers (`RectifierPReLU`, `RectifierLeakyReLU`, `RectifierReLU`,
 * `RectifierSpatialPyramidPooling`, `RectifierInputConv2D`) and the initializers
 * (`RectifierMsra`, `RectifierXavier`, `RectifierGaussian`). Plain `tf.loadLayersModel` in a
 * process that has not imported those packages fails with `Unknown layer: RectifierPReLU`.
 *
 * `source`: in Node, a model.json path (`models/prelu/model.json`) or `file://` URL, read with
 * node:fs next to its weight files — no tfjs-node needed; anywhere, what `tf.loadLayersModel`
 * takes: an `http(s)://…` URL (in a page, also a relative one), `indexeddb://…`, or an IOHandler
 * such as `tf.io.fromMemory(artifacts)`. A model written by `rectifier export` carries its class
 * names and preprocessing: `readModelMetadata(model)`.
 */
export function loadModel(
  source: string | tf.io.IOHandler,
  options?: tf.io.LoadOptions,
): Promise<tf.LayersModel> {
  const handler =
    typeof source === 'string' && isNodeFilePath(source) ? fileHandler(source) : source;
  return tf.loadLayersModel(handler, options);
}
