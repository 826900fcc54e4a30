import { received } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, InitializerArgumentError } from './errors';
import { computeFans } from './fans';
import { checkSeed, tfjsSeed } from './tfjsSeed';

/** Options of `propagation`. */
export interface PropagationOptions {
  /**
   * Which layers are "weight layers" whose signals are measured. Default: every layer with a
   * `kernel` weight (conv and dense).
   */
  isWeightLayer?: (layer: tf.layers.Layer) => boolean;
  /** Negative slope `a` of the rectifiers, for the predicted factors ½(1 + a²)·n·Var[w]. Default 0 (ReLU). */
  slope?: number;
  /**
   * Seed (an integer) of the unit-variance gradient injected at the model output (the backward
   * signal). Default 0: identical calls give identical reports.
   */
  seed?: number;
}

/** Signals at one weight layer, measured at initialisation. */
export interface LayerPropagation {
  name: string;
  className: string;
  /** n = k²·c and n̂ = k²·d of the kernel. */
  fanIn: number;
  fanOut: number;
  /** Sample variance of the kernel. */
  weightVariance: number;
  /** Var[y_l]: the layer's response (its output, before the rectifier) — Eqn 10. */
  forwardVariance: number;
  /** Var[Δx_l]: the gradient reaching the layer's input — Eqn 14. */
  backwardVariance: number;
  /** Var[y_l] / Var[y_{l−1}]; null for the first weight layer. */
  forwardFactor: number | null;
  /** Var[Δx_l] / Var[Δx_{l+1}]; null for the last weight layer. */
  backwardFactor: number | null;
  /** ½(1 + a²)·n_l·Var[w_l], what Eqn 10 predicts for `forwardFactor` (layers after the first). */
  predictedForwardFactor: number;
  /** ½(1 + a²)·n̂_l·Var[w_l], what Eqn 14 predicts for `backwardFactor`. */
  predictedBackwardFactor: number;
}

/** What `propagation` returns. */
export interface PropagationReport {
  layers: LayerPropagation[];
  /** Var[y_L] / Var[y_1] = product of the forward factors (Eqn 11). */
  forwardProduct: number;
  /** Var[Δx_1] / Var[Δx_L] = product of the backward factors (Eqn 15). */
  backwardProduct: number;
}

function isInputLayer(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'InputLayer';
}

/** The model's layers in order, nested models (trunk/head) expanded. */
function chain(model: tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    if (isInputLayer(layer)) continue;
    if (layer instanceof tf.LayersModel) out.push(...chain(layer));
    else {
      const inbound = (layer as unknown as { inboundNodes: { inboundLayers: unknown[] }[] })
        .inboundNodes;
      if (inbound.some((n) => n.inboundLayers.length > 1)) {
        throw new InitializerArgumentError(
          `Argument \`model\` must be a chain of single-input layers (as the paper's plain nets); ` +
            `layer "${layer.name}" takes ${inbound[0].inboundLayers.length} inputs.`,
        );
      }
      out.push(layer);
    }
  }
  return out;
}

function hasKernel(layer: tf.layers.Layer): boolean {
  return layer.weights.some((w) => /(^|\/)kernel(_\d+)?$/.test(w.originalName));
}

/** Population variance in float64 (deep std-0.01 nets reach 1e-60: float32 squares underflow). */
function variance(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  let s2 = 0;
  for (let i = 0; i < v.length; i++) s2 += (v[i] - mean) * (v[i] - mean);
  return s2 / v.length;
}

/** Every tensor's values, read together with `data()` (webgpu has no synchronous read). */
const read = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));

/**
 * Measures signal propagation at initialisation (He et al. 2015, Sec. 2.2, Eqn 10–15): for each
 * weight layer l, the variance of its response y_l on `input` (forward) and of the gradient Δx_l
 * reaching its input when a unit-variance Gaussian gradient enters at the model output
 * (backward), with the per-layer factors and their products.
 *
 * With ReLU and MSRA, ½·n_l·Var[w_l] = 1, so both stay of order 1 at any depth; with
 * "Xavier" (std sqrt(1/n)) each layer halves them (×2^−L); with std 0.01 they vanish. This is
 * why a 30-layer plain net initialised the old way does not learn (Fig. 3).
 *
 * `model` must be a chain of layers (nested models such as trunk + head are expanded).
 * `input` is a batch `[batch, …]` of the model's input shape. Runs in inference mode
 * (dropout off). Leaves no tensors behind. Asynchronous: the responses and gradients are read
 * with `data()`, which every backend supports (webgpu in Node has no synchronous read); a wrong
 * argument throws at the call, before any promise.
 */
export function propagation(
  model: tf.LayersModel,
  input: tf.Tensor,
  options: PropagationOptions = {},
): Promise<PropagationReport> {
  checkOptionKeys(options, ['isWeightLayer', 'slope', 'seed'], 'propagation');
  if (!(model instanceof tf.LayersModel)) {
    throw new InitializerArgumentError(
      `Argument \`model\` must be a tf.LayersModel. Received: model=${received(model)}`,
    );
  }
  if (!(input instanceof tf.Tensor)) {
    throw new InitializerArgumentError(
      `Argument \`input\` must be a tf.Tensor batch of the model's input shape. Received: input=${received(input)}`,
    );
  }
  const { isWeightLayer = hasKernel, slope = 0, seed = 0 } = options;
  checkSeed(seed);
  if (typeof isWeightLayer !== 'function') {
    throw new InitializerArgumentError(
      `Option \`isWeightLayer\` must be a function (layer) => boolean. Received: isWeightLayer=${received(isWeightLayer)}`,
    );
  }
  if (typeof slope !== 'number' || !Number.isFinite(slope)) {
    throw new InitializerArgumentError(
      `Option \`slope\` must be a finite number (0 for ReLU). Received: slope=${received(slope)}`,
    );
  }
  const layers = chain(model);
  const weighted = layers.map(isWeightLayer);
  if (!weighted.some(Boolean)) {
    throw new InitializerArgumentError(
      `Argument \`model\` has no weight layers to measure (no layer has a kernel). ` +
        `Pass options.isWeightLayer to choose them.`,
    );
  }

  return measure(layers, weighted, input, slope, seed);
}

async function measure(
  layers: tf.layers.Layer[],
  weighted: boolean[],
  input: tf.Tensor,
  slope: number,
  seed: number,
): Promise<PropagationReport> {
  const { responses, grads } = tf.tidy(() => {
    // Forward: run the chain, keep each weight layer's response and input shape.
    const responses: tf.Tensor[] = [];
    const inputShapes: number[][] = [];
    let x = input;
    layers.forEach((layer, i) => {
      if (weighted[i]) inputShapes.push(x.shape);
      x = layer.apply(x) as tf.Tensor;
      if (weighted[i]) responses.push(x);
    });

    // Backward: zero probes added to each weight layer's input; their gradients are Δx_l.
    const top = tf.randomNormal(x.shape, 0, 1, 'float32', tfjsSeed(seed));
    const probes = inputShapes.map((s) => tf.zeros(s));
    const grads = tf.grads((...ps: tf.Tensor[]) => {
      let h = input;
      let k = 0;
      layers.forEach((layer, i) => {
        if (weighted[i]) h = tf.add(h, ps[k++]);
        h = layer.apply(h) as tf.Tensor;
      });
      return tf.sum(tf.mul(h, top));
    })(probes);
    return { responses, grads };
  });
  const measured = layers.filter((_, i) => weighted[i]);
  const kernels = measured.map((layer) =>
    layer.weights.find((w) => /(^|\/)kernel(_\d+)?$/.test(w.originalName)),
  );
  let values: Float32Array[][];
  try {
    values = await Promise.all([
      read(responses),
      read(grads),
      read(kernels.flatMap((k) => (k === undefined ? [] : [k.read()]))),
    ]);
  } finally {
    tf.dispose([...responses, ...grads]);
  }
  const [forward, backward, kernelValues] = values;
  const forwardVariance = forward.map(variance);
  const backwardVariance = backward.map(variance);
  let nextKernel = 0;

  const gain = (1 + slope * slope) / 2;
  const result: LayerPropagation[] = measured.map((layer, l) => {
    const kernel = kernels[l];
    const shape = kernel ? kernel.shape : [1];
    const { fanIn, fanOut } = computeFans(shape as number[]);
    const weightVariance = kernel ? variance(kernelValues[nextKernel++]) : Number.NaN;
    return {
      name: layer.name,
      className: layer.getClassName(),
      fanIn,
      fanOut,
      weightVariance,
      forwardVariance: forwardVariance[l],
      backwardVariance: backwardVariance[l],
      forwardFactor: l > 0 ? forwardVariance[l] / forwardVariance[l - 1] : null,
      backwardFactor:
        l < measured.length - 1 ? backwardVariance[l] / backwardVariance[l + 1] : null,
      predictedForwardFactor: gain * fanIn * weightVariance,
      predictedBackwardFactor: gain * fanOut * weightVariance,
    };
  });
  const last = result.length - 1;
  return {
    layers: result,
    forwardProduct: forwardVariance[last] / forwardVariance[0],
    backwardProduct: backwardVariance[0] / backwardVariance[last],
  };
}
