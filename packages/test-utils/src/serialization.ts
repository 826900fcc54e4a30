import * as tf from '@tensorflow/tfjs';

/**
 * Saves `model` to memory (topology JSON + weights, exactly what `model.save` writes) and loads
 * it back with `tf.loadLayersModel`: the round trip a user's `file://` / `indexeddb://` save goes
 * through, without touching the disk. Custom layers and initializers must be registered.
 */
export async function saveAndLoad(
  model: tf.LayersModel,
): Promise<{ loaded: tf.LayersModel; artifacts: tf.io.ModelArtifacts }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts === undefined) throw new Error('model.save did not call the save handler.');
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { loaded, artifacts };
}
