import { received } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec, LayerSpec } from './architectureSpec';
import { ArchitecturesArgumentError, checkOptionKeys, FeatureMapTooSmallError } from './errors';

/** One row of a summary. */
export interface LayerSummary {
  name: string;
  /** `conv2d`, `maxPooling2d`, `spp`, `dense`, … (tfjs class name for layers it does not model). */
  kind: string;
  /** Output shape without the batch axis: [H, W, C] or [features]. */
  outputShape: number[];
  /** Trainable and non-trainable parameters (weights, biases, PReLU slopes). */
  params: number;
  /** Multiply-adds for one input image (conv and fc layers; pooling/activations count 0). */
  multiplyAdds: number;
}

export interface ModelSummary {
  inputSize: number;
  layers: LayerSummary[];
  totalParams: number;
  totalMultiplyAdds: number;
}

export interface SummarizeOptions {
  /** Square input side; default: the model's own fixed size, else 224. */
  inputSize?: number;
}

/** A layer reduced to what its shape and cost depend on. */
type Step =
  | {
      kind: 'conv2d';
      kh: number;
      kw: number;
      sh: number;
      sw: number;
      padding: string;
      filters: number;
    }
  | { kind: 'zeroPadding2d'; top: number; bottom: number; left: number; right: number }
  | { kind: 'maxPooling2d'; kh: number; kw: number; sh: number; sw: number; padding: string }
  | { kind: 'spp'; levels: number[] }
  | { kind: 'flatten' }
  | { kind: 'dense'; units: number }
  | { kind: 'activation'; perChannel: boolean; shared: boolean }
  | { kind: 'identity' };

/**
 * Per-layer output shape, parameters and multiply-adds of a model (a built tfjs model or an
 * `ArchitectureSpec`, which allocates nothing) for a square input of `inputSize`.
 *
 * Multiply-adds, as Table 3's "complexity" row counts them: a conv layer costs
 * H_out·W_out·k_h·k_w·C_in·C_out, an fc layer in·out; biases, pooling, SPP and activations are
 * not counted (PReLU adds one multiply per element, negligible — Sec. 2.1). Parameters count
 * weights, biases and PReLU slopes; for a built model they are read from the layers' weights.
 *
 * Shapes follow tfjs: 'valid' → floor((a − k)/s) + 1, 'same' → ceil(a/s). The model must be a
 * chain (each layer feeding the next); nested models (trunk, head) are expanded in place.
 */
export function summarize(
  model: tf.LayersModel | ArchitectureSpec,
  options: SummarizeOptions = {},
): ModelSummary {
  checkOptionKeys(options, ['inputSize'], 'summarize');
  const isSpec = !(model instanceof tf.LayersModel);
  if (
    isSpec &&
    (typeof model !== 'object' ||
      model === null ||
      !Array.isArray((model as ArchitectureSpec).trunk) ||
      !Array.isArray((model as ArchitectureSpec).head))
  ) {
    throw new ArchitecturesArgumentError(
      `Argument \`model\` must be a tf.LayersModel or an ArchitectureSpec (from describeArchitecture). Received: model=${received(model)}`,
    );
  }
  const fixed = isSpec
    ? (model as ArchitectureSpec).inputSize
    : fixedInputSize(model as tf.LayersModel);
  const inputSize = options.inputSize ?? fixed ?? 224;
  if (!Number.isInteger(inputSize) || inputSize < 1) {
    throw new ArchitecturesArgumentError(
      `Argument \`inputSize\` must be a positive integer. Received: inputSize=${received(inputSize)}.`,
    );
  }
  let shape: number[];
  let entries: Array<{ name: string; kind: string; step: Step; params?: number }>;
  if (isSpec) {
    const spec = model as ArchitectureSpec;
    shape = [inputSize, inputSize, spec.inputChannels];
    entries = [...spec.trunk, ...spec.head].map((l) => ({
      name: l.name,
      kind: l.kind,
      step: stepOfSpec(l),
    }));
  } else {
    const m = model as tf.LayersModel;
    const inputShape = m.inputs[0].shape;
    const channels = inputShape[inputShape.length - 1];
    if (inputShape.length !== 4 || channels == null) {
      throw new ArchitecturesArgumentError(
        `summarize expects a model with one NHWC image input. Received: input shape [${inputShape.join(', ')}].`,
      );
    }
    shape = [inputSize, inputSize, channels];
    entries = leafLayers(m).map((l) => ({
      name: l.name,
      kind: kindOf(l),
      step: stepOfLayer(l),
      params: l.countParams(),
    }));
  }
  const layers: LayerSummary[] = [];
  for (const e of entries) {
    const { out, macs, params } = apply(e.step, shape, e.name);
    shape = out;
    layers.push({
      name: e.name,
      kind: e.kind,
      outputShape: out,
      params: e.params ?? params,
      multiplyAdds: macs,
    });
  }
  return {
    inputSize,
    layers,
    totalParams: layers.reduce((s, l) => s + l.params, 0),
    totalMultiplyAdds: layers.reduce((s, l) => s + l.multiplyAdds, 0),
  };
}

function fixedInputSize(model: tf.LayersModel): number | null {
  const [, h, w] = model.inputs[0].shape;
  return h != null && h === w ? h : null;
}

function leafLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) =>
    l instanceof tf.LayersModel ? leafLayers(l) : l.getClassName() === 'InputLayer' ? [] : [l],
  );
}

const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number];

function kindOf(layer: tf.layers.Layer): string {
  const names: Record<string, string> = {
    Conv2D: 'conv2d',
    RectifierInputConv2D: 'conv2d',
    ZeroPadding2D: 'zeroPadding2d',
    MaxPooling2D: 'maxPooling2d',
    RectifierSpatialPyramidPooling: 'spp',
    Flatten: 'flatten',
    Dense: 'dense',
    Dropout: 'dropout',
    RectifierDropout: 'dropout',
  };
  return names[layer.getClassName()] ?? layer.getClassName();
}

function stepOfLayer(layer: tf.layers.Layer): Step {
  const c = layer.getConfig() as Record<string, unknown>;
  switch (layer.getClassName()) {
    case 'Conv2D':
    case 'RectifierInputConv2D': {
      const [kh, kw] = pair(c.kernelSize);
      const [sh, sw] = pair(c.strides ?? 1);
      return {
        kind: 'conv2d',
        kh,
        kw,
        sh,
        sw,
        padding: c.padding as string,
        filters: c.filters as number,
      };
    }
    case 'ZeroPadding2D': {
      const p = c.padding as number | [number, number] | [[number, number], [number, number]];
      const [rows, cols] = Array.isArray(p) ? p.map((v) => pair(v)) : [pair(p), pair(p)];
      return {
        kind: 'zeroPadding2d',
        top: rows[0],
        bottom: rows[1],
        left: cols[0],
        right: cols[1],
      };
    }
    case 'MaxPooling2D': {
      const [kh, kw] = pair(c.poolSize);
      const [sh, sw] = pair(c.strides ?? c.poolSize);
      return { kind: 'maxPooling2d', kh, kw, sh, sw, padding: c.padding as string };
    }
    case 'RectifierSpatialPyramidPooling':
      return { kind: 'spp', levels: c.levels as number[] };
    case 'Flatten':
      return { kind: 'flatten' };
    case 'Dense':
      return { kind: 'dense', units: c.units as number };
    default:
      return { kind: 'identity' };
  }
}

function stepOfSpec(l: LayerSpec): Step {
  switch (l.kind) {
    case 'conv2d':
      return {
        kind: 'conv2d',
        kh: l.kernelSize,
        kw: l.kernelSize,
        sh: l.strides,
        sw: l.strides,
        padding: l.padding,
        filters: l.filters,
      };
    case 'zeroPadding2d':
      return {
        kind: 'zeroPadding2d',
        top: l.padding,
        bottom: l.padding,
        left: l.padding,
        right: l.padding,
      };
    case 'maxPooling2d':
      return {
        kind: 'maxPooling2d',
        kh: l.poolSize,
        kw: l.poolSize,
        sh: l.strides,
        sw: l.strides,
        padding: 'valid',
      };
    case 'spp':
      return { kind: 'spp', levels: l.levels };
    case 'flatten':
      return { kind: 'flatten' };
    case 'dense':
      return { kind: 'dense', units: l.units };
    case 'activation':
      return {
        kind: 'activation',
        perChannel: l.activation === 'prelu',
        shared: l.activation === 'prelu-shared',
      };
    case 'dropout':
      return { kind: 'identity' };
  }
}

const outSide = (a: number, k: number, s: number, padding: string) =>
  padding === 'same' ? Math.ceil(a / s) : Math.floor((a - k) / s) + 1;

function apply(
  step: Step,
  shape: number[],
  name: string,
): { out: number[]; macs: number; params: number } {
  const spatial = () => {
    if (shape.length !== 3) {
      throw new ArchitecturesArgumentError(
        `Layer \`${name}\` needs an [H, W, C] input. Received: [${shape.join(', ')}].`,
      );
    }
    return shape as [number, number, number];
  };
  switch (step.kind) {
    case 'conv2d': {
      const [h, w, c] = spatial();
      const out = [
        outSide(h, step.kh, step.sh, step.padding),
        outSide(w, step.kw, step.sw, step.padding),
        step.filters,
      ];
      tooSmall(out, name, shape);
      const perPixel = step.kh * step.kw * c * step.filters;
      return { out, macs: out[0] * out[1] * perPixel, params: perPixel + step.filters };
    }
    case 'zeroPadding2d': {
      const [h, w, c] = spatial();
      return {
        out: [h + step.top + step.bottom, w + step.left + step.right, c],
        macs: 0,
        params: 0,
      };
    }
    case 'maxPooling2d': {
      const [h, w, c] = spatial();
      const out = [
        outSide(h, step.kh, step.sh, step.padding),
        outSide(w, step.kw, step.sw, step.padding),
        c,
      ];
      tooSmall(out, name, shape);
      return { out, macs: 0, params: 0 };
    }
    case 'spp': {
      const [h, w, c] = spatial();
      if (Math.min(h, w) < Math.max(...step.levels))
        throw new FeatureMapTooSmallError(h, w, step.levels);
      return { out: [c * step.levels.reduce((s, n) => s + n * n, 0)], macs: 0, params: 0 };
    }
    case 'flatten':
      return { out: [shape.reduce((p, d) => p * d, 1)], macs: 0, params: 0 };
    case 'dense': {
      const inputs = shape[shape.length - 1];
      return {
        out: [...shape.slice(0, -1), step.units],
        macs: inputs * step.units,
        params: (inputs + 1) * step.units,
      };
    }
    case 'activation':
      return {
        out: shape,
        macs: 0,
        params: step.perChannel ? shape[shape.length - 1] : step.shared ? 1 : 0,
      };
    case 'identity':
      return { out: shape, macs: 0, params: 0 };
  }
}

function tooSmall(out: number[], name: string, input: number[]) {
  if (out[0] < 1 || out[1] < 1) {
    throw new ArchitecturesArgumentError(
      `Layer \`${name}\` gets a ${input[0]}×${input[1]} map, too small for its window. Use a larger \`inputSize\`.`,
    );
  }
}

/** A Markdown table of a summary (name, output shape, params, multiply-adds) with a totals row. */
export function formatSummary(summary: ModelSummary): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const rows = summary.layers
    .filter(
      (l) =>
        l.params > 0 ||
        l.multiplyAdds > 0 ||
        !['activation', 'dropout', 'zeroPadding2d'].includes(l.kind),
    )
    .map(
      (l) =>
        `| ${l.name} | ${l.kind} | ${l.outputShape.join('×')} | ${n(l.params)} | ${n(l.multiplyAdds)} |`,
    );
  return [
    '| layer | kind | output | params | multiply-adds |',
    '| --- | --- | --- | ---: | ---: |',
    ...rows,
    `| **total** | | | **${n(summary.totalParams)}** | **${n(summary.totalMultiplyAdds)}** |`,
  ].join('\n');
}
