// Bare imports on purpose: they register Rectifier's layer and initializer classes with tfjs
// (each package's register.ts), which is what tf.loadLayersModel needs to rebuild a saved net.
import '@rectifier/activations';
import '@rectifier/initializers';
import './register';
import * as tf from '@tensorflow/tfjs';

/**
 * Loads a model saved with `model.save(...)`: `tf.loadLayersModel` with every Rectifier class
 * registered — the layers (`RectifierPReLU`, `RectifierLeakyReLU`, `RectifierReLU`,
 * `RectifierSpatialPyramidPooling`, `RectifierInputConv2D`) and the initializers
 * (`RectifierMsra`, `RectifierXavier`, `RectifierGaussian`). Plain `tf.loadLayersModel` in a
 * process that has not imported those packages fails with `Unknown layer: RectifierPReLU`.
 *
 * `source` is anything `tf.loadLayersModel` takes: a URL (`file://…/model.json` with
 * tfjs-node, `http(s)://…`, `indexeddb://…`) or an IOHandler such as `tf.io.fromMemory(artifacts)`.
 */
export function loadModel(
  source: string | tf.io.IOHandler,
  options?: tf.io.LoadOptions,
): Promise<tf.LayersModel> {
  return tf.loadLayersModel(source, options);
}
