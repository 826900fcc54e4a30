import * as tf from '@tensorflow/tfjs';
import type { ActivationKind, ArchitectureSpec, LayerSpec } from './architectureSpec';
import type { BuiltModel } from './buildArchitecture';
import { ArchitecturesArgumentError } from './errors';

type Config = tf.serialization.ConfigDict;

const square = (v: unknown) => (Array.isArray(v) ? (v[0] as number) : (v as number));

/** The plain-data description of one built layer (the inverse of buildArchitecture's makeLayer). */
function layerSpec(layer: tf.layers.Layer): LayerSpec {
  const c = layer.getConfig() as Config;
  const name = layer.name;
  switch (layer.getClassName()) {
    case 'Conv2D':
    case 'RectifierInputConv2D':
      return {
        kind: 'conv2d',
        name,
        filters: c.filters as number,
        kernelSize: square(c.kernelSize),
        strides: square(c.strides),
        padding: c.padding as 'valid' | 'same',
      };
    case 'ZeroPadding2D':
      return { kind: 'zeroPadding2d', name, padding: (c.padding as number[][])[0][0] };
    case 'MaxPooling2D':
      return {
        kind: 'maxPooling2d',
        name,
        poolSize: square(c.poolSize),
        strides: square(c.strides),
      };
    case 'RectifierReLU':
      return { kind: 'activation', name, activation: 'relu' };
    case 'RectifierLeakyReLU':
      return { kind: 'activation', name, activation: 'lrelu' };
    case 'RectifierPReLU':
      return { kind: 'activation', name, activation: c.shared ? 'prelu-shared' : 'prelu' };
    case 'RectifierSpatialPyramidPooling':
      return {
        kind: 'spp',
        name,
        levels: c.levels as number[],
        binning: c.binning as 'adaptive' | 'sppnet',
      };
    case 'Flatten':
      return { kind: 'flatten', name };
    case 'Dense':
      return {
        kind: 'dense',
        name,
        units: c.units as number,
        stddev: 0, // how it was initialised is not saved, and no longer matters
        softmax: c.activation === 'softmax',
      };
    case 'RectifierDropout':
    case 'Dropout':
      return { kind: 'dropout', name, rate: c.rate as number };
    default:
      throw new ArchitecturesArgumentError(
        `builtModelOf: layer ${name} is a ${layer.getClassName()}, which Rectifier's architectures do not use; pass a model built by buildModel (or saved from one).`,
      );
  }
}

const isInput = (l: tf.layers.Layer) => l.getClassName() === 'InputLayer';

/**
 * A `BuiltModel` (trunk, head, model, spec) from a whole model as `loadModel` returns it — a
 * model `buildModel` built and `model.save` / `rectifier export` wrote keeps its `trunk` and
 * `head` as two nested models — so every protocol of @rectifier/evaluation, dense included, can
 * test a loaded model. The spec is read back from the layers' configs; what the saved topology
 * does not hold (the initialisers' choice, the seed) is not needed to run the model and is left
 * at neutral values. Throws when the model has no `trunk` and `head` parts.
 */
export function builtModelOf(model: tf.LayersModel, name = model.name): BuiltModel {
  const parts = model.layers.filter((l) => !isInput(l));
  const [trunk, head] = ['trunk', 'head'].map((part) => parts.find((l) => l.name === part));
  if (!(trunk instanceof tf.LayersModel) || !(head instanceof tf.LayersModel)) {
    throw new ArchitecturesArgumentError(
      `builtModelOf: model ${model.name} has no nested \`trunk\` and \`head\` models (its layers: ${parts
        .map((l) => l.name)
        .join(', ')}); pass a model built by buildModel or loaded from one it saved.`,
    );
  }
  const trunkLayers = trunk.layers.filter((l) => !isInput(l)).map(layerSpec);
  const headLayers = head.layers.filter((l) => !isInput(l)).map(layerSpec);
  const [, side, , channels] = trunk.inputs[0].shape;
  const act = trunkLayers.find((l) => l.kind === 'activation');
  const activation: ActivationKind = act?.kind === 'activation' ? act.activation : 'relu';
  const spp = headLayers.find((l) => l.kind === 'spp');
  const fc = headLayers.filter((l) => l.kind === 'dense');
  const last = fc.at(-1);
  const dropout = headLayers.find((l) => l.kind === 'dropout');
  const spec: ArchitectureSpec = {
    name,
    inputSize: side ?? null,
    inputChannels: channels as number,
    trunk: trunkLayers,
    head: headLayers,
    options: {
      activation,
      activationOptions: {},
      init: 'msra-fan-out',
      seed: undefined,
      numClasses: last?.kind === 'dense' ? last.units : 0,
      inputSize: side ?? null,
      inputChannels: channels as number,
      widthMultiplier: 1,
      fcUnits: fc[0]?.kind === 'dense' ? fc[0].units : 0,
      dropout: dropout?.kind === 'dropout' ? dropout.rate : 0,
      sppLevels: spp?.kind === 'spp' ? spp.levels : [],
      sppBinning: spp?.kind === 'spp' ? spp.binning : 'adaptive',
      softmax: last?.kind === 'dense' ? last.softmax : false,
    },
  };
  return { trunk, head, model, spec };
}
