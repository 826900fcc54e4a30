import * as tf from '@tensorflow/tfjs';
import { ModelFileError } from './errors';

// Held in a variable, and imported on first use, so that bundlers for the browser leave it alone
// (a literal `import('node:fs/promises')` fails an esbuild browser build); this module only
// touches the file system when `load()` runs, which only happens in Node.
const fsModule = 'node:fs/promises';
const pathModule = 'node:path';
const urlModule = 'node:url';
const importNode = (specifier: string) => import(specifier);

/** Whether `source` names a file to read with node:fs: in Node, a `file://` URL or a path. */
export function isNodeFilePath(source: string): boolean {
  const node = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!node) return false;
  if (source.startsWith('file://')) return true;
  // A scheme (http:, https:, indexeddb:, localstorage:) goes to tfjs's own handlers. A Windows
  // drive letter (C:\) is one character, a scheme at least two.
  return !/^[a-z][a-z0-9+.-]+:/i.test(source);
}

/**
 * A tfjs IOHandler that loads a LayersModel saved as files — `model.json` (topology, weights
 * manifest, `userDefinedMetadata`) and the weight shards it names, relative to it — with
 * node:fs, in plain Node (no tfjs-node, whose `file://` handler is the only one tfjs has).
 */
export function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const fs = (await importNode(fsModule)) as typeof import('node:fs/promises');
      const path = (await importNode(pathModule)) as typeof import('node:path');
      const url = (await importNode(urlModule)) as typeof import('node:url');
      const file = modelJsonPath.startsWith('file://')
        ? url.fileURLToPath(modelJsonPath)
        : path.resolve(modelJsonPath);
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        throw new ModelFileError(
          `Cannot read the model file ${JSON.stringify(file)} (${(error as Error).message}). ` +
            'Pass the path of a model.json written by `model.save` or `rectifier export`.',
          { cause: error },
        );
      }
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text) as tf.io.ModelJSON;
      } catch (error) {
        throw new ModelFileError(`${file} is not JSON: ${(error as Error).message}.`, {
          cause: error,
        });
      }
      if (json.modelTopology === undefined || !Array.isArray(json.weightsManifest)) {
        throw new ModelFileError(
          `${file} is not a tfjs LayersModel's model.json (it needs \`modelTopology\` and ` +
            '`weightsManifest`). Pass the model.json that `model.save` or `rectifier export` wrote.',
        );
      }
      const dir = path.dirname(file);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const shard of group.paths) {
            const shardPath = path.join(dir, shard);
            const bytes = await fs.readFile(shardPath).catch((error: unknown) => {
              throw new ModelFileError(
                `${file} names the weight file ${shard}, which cannot be read at ${shardPath} ` +
                  `(${(error as Error).message}). Keep the weight files next to model.json.`,
                { cause: error },
              );
            });
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}
