import { activation } from '@rectifier/activations';
import { deriveSeed } from '@rectifier/core';
import { gaussian, msra, xavier } from '@rectifier/initializers';
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec, LayerSpec, ResolvedModelOptions } from './architectureSpec';
import { inputConv2d } from './inputConv2d';
import { seededDropout } from './seededDropout';
import { spp } from './spatialPyramidPooling';
import { summarize } from './summarize';

/** A model in two parts, as the multi-GPU trainer and dense evaluation need them. */
export interface BuiltModel {
  /** Convolutions up to the SPP input: [batch, H, W, channels] → last conv map. */
  trunk: tf.LayersModel;
  /** SPP (or pool5 + flatten) and fc1–fc3: last conv map → class scores. */
  head: tf.LayersModel;
  /** trunk then head; shares their layers and weights. */
  model: tf.LayersModel;
  /** The description it was built from (layer list and resolved options). */
  spec: ArchitectureSpec;
}

const prelu = { init: 0.25 }; // PReLU initial slope — Sec. 2.1
const lreluAlpha = 0.25; // Table 2's LReLU; the original LReLU used 0.01

/** Negative slope `a` the activation starts with: MSRA's std is sqrt(2/((1+a²)·n)) (Sec. 2.2). */
function initialSlope(o: ResolvedModelOptions): number {
  if (o.activation === 'relu') return 0;
  if (o.activation === 'lrelu') return o.activationOptions.alpha ?? lreluAlpha;
  return o.activationOptions.init ?? prelu.init;
}

function convInitializer(o: ResolvedModelOptions, seed: number | undefined) {
  switch (o.init) {
    case 'msra-fan-in':
      return msra({ mode: 'fanIn', slope: initialSlope(o), seed });
    case 'msra-fan-out':
      return msra({ mode: 'fanOut', slope: initialSlope(o), seed });
    case 'xavier':
      return xavier({ seed });
    case 'gaussian':
      return gaussian({ stddev: 0.01, seed }); // older nets' fixed std — Sec. 2.2
  }
}

function makeLayer(
  l: LayerSpec,
  o: ResolvedModelOptions,
  seed: number | undefined,
  readsImage: boolean,
): tf.layers.Layer {
  switch (l.kind) {
    case 'conv2d':
      return (readsImage ? inputConv2d : tf.layers.conv2d)({
        name: l.name,
        filters: l.filters,
        kernelSize: l.kernelSize,
        strides: l.strides,
        padding: l.padding,
        kernelInitializer: convInitializer(o, seed),
        biasInitializer: 'zeros',
      });
    case 'zeroPadding2d':
      return tf.layers.zeroPadding2d({ name: l.name, padding: l.padding });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({
        name: l.name,
        poolSize: l.poolSize,
        strides: l.strides,
        padding: 'valid',
      });
    case 'activation': {
      const kind = l.activation;
      const slope =
        kind === 'lrelu'
          ? { alpha: o.activationOptions.alpha ?? lreluAlpha }
          : kind === 'relu'
            ? {}
            : { init: o.activationOptions.init ?? prelu.init };
      return activation(kind, { ...slope, name: l.name });
    }
    case 'spp':
      return spp({ name: l.name, levels: l.levels, binning: l.binning });
    case 'flatten':
      return tf.layers.flatten({ name: l.name });
    case 'dense':
      return tf.layers.dense({
        name: l.name,
        units: l.units,
        kernelInitializer: gaussian({ stddev: l.stddev, seed }), // 0.01, 0.01, 0.001 — Sec. 2.2
        biasInitializer: 'zeros',
        activation: l.softmax ? 'softmax' : 'linear',
      });
    case 'dropout':
      return seededDropout({ name: l.name, rate: l.rate, seed });
  }
}

/**
 * Builds the tfjs models of an `ArchitectureSpec`. Checks the map sizes first (a fixed
 * `inputSize` too small for the pyramid throws `FeatureMapTooSmallError` before any weight is
 * allocated). With `inputSize: null` the input is [null, null, channels]: the trunk runs on any
 * image size and the head on any map ≥ the largest pyramid level.
 */
export function buildArchitecture(spec: ArchitectureSpec): BuiltModel {
  const o = spec.options;
  if (spec.inputSize !== null) summarize(spec, { inputSize: spec.inputSize });
  let layerIndex = 0;
  // One seed per layer from the run's seed (core's policy): a hash, so seed s's layer i + 1 is
  // not seed s + 1's layer i, as `seed + layerIndex` made it.
  const seedFor = () =>
    o.seed === undefined ? undefined : deriveSeed(o.seed, 'init', layerIndex++);
  // The first conv reads the image (through padding at most): its input gradient is never used.
  const firstConv = spec.trunk.find((l) => l.kind === 'conv2d');
  const chain = (x: tf.SymbolicTensor, layers: LayerSpec[]) =>
    layers.reduce(
      (t, l) => makeLayer(l, o, seedFor(), l === firstConv).apply(t) as tf.SymbolicTensor,
      x,
    );

  const side = spec.inputSize;
  const input = tf.input({ name: 'image', shape: [side, side, spec.inputChannels] as number[] });
  const trunk = tf.model({ name: 'trunk', inputs: input, outputs: chain(input, spec.trunk) });
  const map = trunk.outputs[0].shape.slice(1) as number[];
  const headInput = tf.input({ name: 'feature_map', shape: map });
  const head = tf.model({ name: 'head', inputs: headInput, outputs: chain(headInput, spec.head) });
  const outputs = head.apply(trunk.apply(input)) as tf.SymbolicTensor;
  const model = tf.model({
    name: spec.name.replace(/[^A-Za-z0-9_]/g, '_'),
    inputs: input,
    outputs,
  });
  return { trunk, head, model, spec };
}
