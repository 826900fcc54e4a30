import { activationKinds } from '@rectifier/activations';
import { received } from '@rectifier/core';
import { initKinds } from '@rectifier/initializers';
import type {
  ArchitectureSpec,
  LayerSpec,
  ModelOptions,
  ResolvedModelOptions,
} from './architectureSpec';
import { ArchitecturesArgumentError, checkOptionKeys } from './errors';

export interface DeepNetOptions extends ModelOptions {
  /** Extra 2×2, 256 conv layers after conv3_6 (Sec. 2.2). Default 16: the 30-layer model. */
  extraLayers?: number;
}

export interface Vgg19Options extends ModelOptions {
  /** `pool5` (default): VGG-19 as published, 2×2 pool then 7·7·512 → fc1; `spp`: pool5 replaced by SPP {7,3,2,1}, as the paper's reproduced VGG-19. */
  top?: 'pool5' | 'spp';
}

const fcStd = [0.01, 0.01, 0.001] as const;

/** `'a', 'b' or 'c'`: a vocabulary as the option errors list it. */
const oneOf = (names: readonly string[]) =>
  `${names
    .slice(0, -1)
    .map((n) => `'${n}'`)
    .join(', ')} or '${names[names.length - 1]}'`; // fc1, fc2, fc3 initial stds — Sec. 2.2

/** Keys of `ModelOptions`, the options every builder takes. */
const modelOptionKeys = [
  'activation',
  'activationOptions',
  'init',
  'seed',
  'numClasses',
  'inputSize',
  'inputChannels',
  'widthMultiplier',
  'fcUnits',
  'dropout',
  'sppLevels',
  'sppBinning',
  'softmax',
] as const;

function resolve(
  options: ModelOptions,
  defaults: { sppLevels: number[]; inputSize: number | null },
  where: string,
  extraKeys: readonly string[] = [],
): ResolvedModelOptions {
  checkOptionKeys(options, [...modelOptionKeys, ...extraKeys], where);
  if (options.activationOptions !== undefined) {
    checkOptionKeys(options.activationOptions, ['init', 'alpha'], `${where} activationOptions`);
  }
  const o: ResolvedModelOptions = {
    activation: options.activation ?? 'prelu',
    activationOptions: options.activationOptions ?? {},
    init: options.init ?? 'msra-fan-out', // Eqn 16, "our initialization" of Sec. 3
    seed: options.seed,
    numClasses: options.numClasses ?? 1000,
    inputSize: options.inputSize === undefined ? defaults.inputSize : options.inputSize,
    inputChannels: options.inputChannels ?? 3,
    widthMultiplier: options.widthMultiplier ?? 1,
    fcUnits: options.fcUnits ?? 4096,
    dropout: options.dropout ?? 0.5, // Sec. 3
    sppLevels: options.sppLevels ?? defaults.sppLevels,
    sppBinning: options.sppBinning ?? 'adaptive',
    softmax: options.softmax ?? true,
  };
  const problems: string[] = [];
  const positiveInt = (key: keyof ResolvedModelOptions, v: unknown) => {
    if (!Number.isInteger(v) || (v as number) < 1) {
      problems.push(`\`${key}\` must be a positive integer. Received: ${key}=${received(v)}`);
    }
  };
  // Layer seeds derive from it through core's deriveSeed (any safe integer); the 2^52 bound is
  // the one this option always had.
  if (o.seed !== undefined && !(Number.isSafeInteger(o.seed) && Math.abs(o.seed) <= 2 ** 52)) {
    problems.push(
      `\`seed\` must be an integer with |seed| ≤ 2^52, or undefined. Received: seed=${received(o.seed)}`,
    );
  }
  positiveInt('numClasses', o.numClasses);
  positiveInt('inputChannels', o.inputChannels);
  positiveInt('fcUnits', o.fcUnits);
  if (o.inputSize !== null) positiveInt('inputSize', o.inputSize);
  if (
    typeof o.widthMultiplier !== 'number' ||
    !(o.widthMultiplier > 0) ||
    !Number.isFinite(o.widthMultiplier)
  ) {
    problems.push(
      `\`widthMultiplier\` must be a positive number. Received: widthMultiplier=${received(o.widthMultiplier)}`,
    );
  }
  if (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout < 1)) {
    problems.push(`\`dropout\` must be in [0, 1). Received: dropout=${received(o.dropout)}`);
  }
  if (typeof o.softmax !== 'boolean') {
    problems.push(`\`softmax\` must be a boolean. Received: softmax=${received(o.softmax)}`);
  }
  if (o.sppBinning !== 'adaptive' && o.sppBinning !== 'sppnet') {
    problems.push(
      `\`sppBinning\` must be 'adaptive' or 'sppnet'. Received: sppBinning=${received(o.sppBinning)}`,
    );
  }
  if (!(activationKinds as readonly string[]).includes(o.activation)) {
    problems.push(
      `\`activation\` must be ${oneOf(activationKinds)}. Received: activation=${received(o.activation)}`,
    );
  }
  if (!(initKinds as readonly string[]).includes(o.init)) {
    problems.push(`\`init\` must be ${oneOf(initKinds)}. Received: init=${received(o.init)}`);
  }
  if (
    !Array.isArray(o.sppLevels) ||
    o.sppLevels.length === 0 ||
    !o.sppLevels.every((n) => Number.isInteger(n) && n > 0)
  ) {
    problems.push(
      `\`sppLevels\` must be a non-empty array of positive integers. Received: sppLevels=${received(o.sppLevels)}`,
    );
  }
  if (problems.length > 0) {
    throw new ArchitecturesArgumentError(`Invalid model options:\n- ${problems.join('\n- ')}`);
  }
  return o;
}

/** Appends conv → activation (the activation has the conv's name + `_act`). */
class LayerList {
  readonly layers: LayerSpec[] = [];
  constructor(private readonly o: ResolvedModelOptions) {}
  width(filters: number): number {
    return Math.max(1, Math.round(filters * this.o.widthMultiplier));
  }
  conv(
    name: string,
    filters: number,
    kernelSize: number,
    strides = 1,
    padding: 'valid' | 'same' = 'same',
  ) {
    this.layers.push({
      kind: 'conv2d',
      name,
      filters: this.width(filters),
      kernelSize,
      strides,
      padding,
    });
    this.layers.push({ kind: 'activation', name: `${name}_act`, activation: this.o.activation });
  }
  pool(name: string, size: number, strides = size) {
    this.layers.push({ kind: 'maxPooling2d', name, poolSize: size, strides });
  }
}

/**
 * The 2×2 convolutions of the small and deep nets, padded alternately: odd-numbered layers of a
 * stage unpadded (a → a−1), even-numbered ones zero-padded by 1 on every side (a−1 → a). The map
 * stays "dominantly" 36×36 in stage 2 and 18×18 in stage 3, as He & Sun 2014 describe model E,
 * every stage with an even count ends at its nominal size, and, unlike 'same' padding in tfjs
 * (one extra row/column at the bottom/right only), the receptive fields do not drift one way.
 */
function conv2x2Stage(list: LayerList, stage: number, count: number, filters: number) {
  for (let i = 1; i <= count; i++) {
    const name = `conv${stage}_${i}`;
    if (i % 2 === 0) list.layers.push({ kind: 'zeroPadding2d', name: `${name}_pad`, padding: 1 });
    list.conv(name, filters, 2, 1, 'valid');
  }
}

function fcHead(o: ResolvedModelOptions, top: LayerSpec[]): LayerSpec[] {
  const head: LayerSpec[] = [...top];
  for (const i of [1, 2]) {
    head.push({
      kind: 'dense',
      name: `fc${i}`,
      units: o.fcUnits,
      stddev: fcStd[i - 1],
      softmax: false,
    });
    head.push({ kind: 'activation', name: `fc${i}_act`, activation: o.activation });
    if (o.dropout > 0) head.push({ kind: 'dropout', name: `fc${i}_dropout`, rate: o.dropout });
  }
  head.push({
    kind: 'dense',
    name: 'fc3',
    units: o.numClasses,
    stddev: fcStd[2],
    softmax: o.softmax,
  });
  return head;
}

/** The spec of a trunk built in `list`, topped by `top` (SPP or pool5) and the fc head. */
function assemble(
  name: string,
  o: ResolvedModelOptions,
  list: LayerList,
  top: LayerSpec[],
): ArchitectureSpec {
  return {
    name,
    inputSize: o.inputSize,
    inputChannels: o.inputChannels,
    trunk: list.layers,
    head: fcHead(o, top),
    options: o,
  };
}

const sppTop = (o: ResolvedModelOptions): LayerSpec[] => [
  { kind: 'spp', name: 'spp', levels: o.sppLevels, binning: o.sppBinning },
];

/**
 * Small model of Table 1 (He & Sun 2014 model E, 14 weight layers): conv1 7×7, 64, /2 (unpadded:
 * 224 → 109); pool1 3×3, /3 (→ 36); conv2_1–4 2×2, 128; pool2 2×2, /2 (→ 18); conv3_1–6 2×2, 256;
 * SPP {6,3,2,1} (50 bins); fc 4096, 4096, classes. With `extraLayers` > 0 it is the deep model.
 */
function smallOrDeep(
  name: 'small' | 'deep',
  options: DeepNetOptions,
  extraLayers: number,
): ArchitectureSpec {
  if (!Number.isInteger(extraLayers) || extraLayers < 0) {
    throw new ArchitecturesArgumentError(
      `Argument \`extraLayers\` must be a non-negative integer (the paper adds up to 16). Received: extraLayers=${received(extraLayers)}.`,
    );
  }
  const o = resolve(
    options,
    { sppLevels: [6, 3, 2, 1], inputSize: null },
    `the ${name} net`,
    name === 'deep' ? ['extraLayers'] : [],
  );
  const list = new LayerList(o);
  list.conv('conv1', 64, 7, 2, 'valid');
  list.pool('pool1', 3);
  conv2x2Stage(list, 2, 4, 128);
  list.pool('pool2', 2);
  conv2x2Stage(list, 3, 6 + extraLayers, 256);
  return assemble(name, o, list, sppTop(o));
}

export function describeSmallNet(options: ModelOptions = {}): ArchitectureSpec {
  return smallOrDeep('small', options, 0);
}

export function describeDeepNet(options: DeepNetOptions = {}): ArchitectureSpec {
  return smallOrDeep('deep', options, options.extraLayers ?? 16);
}

/**
 * Models A, B, C of Table 3: conv1 7×7, 96, /2 ('same': 224 → 112); 2×2 pool, /2 (→ 56); then
 * three stages of 3×3 convs ('same') at 56, 28, 14 with 2×2 pools between; SPP {7,3,2,1}.
 * A: five convs per stage of 256, 512, 512; B: six per stage; C: six of 384, 768, 896.
 */
function largeModel(name: 'A' | 'B' | 'C', options: ModelOptions): ArchitectureSpec {
  const o = resolve(options, { sppLevels: [7, 3, 2, 1], inputSize: null }, `model ${name}`);
  const depth = name === 'A' ? 5 : 6;
  const widths = name === 'C' ? [384, 768, 896] : [256, 512, 512];
  const list = new LayerList(o);
  list.conv('conv1', 96, 7, 2, 'same');
  list.pool('pool1', 2);
  widths.forEach((filters, s) => {
    if (s > 0) list.pool(`pool${s + 1}`, 2);
    for (let i = 1; i <= depth; i++) list.conv(`conv${s + 2}_${i}`, filters, 3);
  });
  return assemble(name, o, list, sppTop(o));
}

export const describeModelA = (options: ModelOptions = {}) => largeModel('A', options);
export const describeModelB = (options: ModelOptions = {}) => largeModel('B', options);
export const describeModelC = (options: ModelOptions = {}) => largeModel('C', options);

/**
 * VGG-19 (Simonyan & Zisserman, Table 3's first column): 3×3 'same' convs, 2×2 pools:
 * 2×64, 2×128, 4×256, 4×512, 4×512. The trunk ends at conv5_4 (14×14 at 224); the head is
 * pool5 + flatten (fixed input size) or SPP {7,3,2,1} (any size), then fc 4096, 4096, classes.
 */
export function describeVgg19(options: Vgg19Options = {}): ArchitectureSpec {
  const top = options.top ?? 'pool5';
  if (top !== 'pool5' && top !== 'spp') {
    throw new ArchitecturesArgumentError(
      `Argument \`top\` must be 'pool5' or 'spp'. Received: top=${received(top)}.`,
    );
  }
  const o = resolve(
    options,
    { sppLevels: [7, 3, 2, 1], inputSize: top === 'pool5' ? 224 : null },
    'vgg19',
    ['top'],
  );
  if (top === 'pool5' && o.inputSize === null) {
    throw new ArchitecturesArgumentError(
      "VGG-19 with pool5 has a fixed-size fc1, so `inputSize` must be a number. Received: inputSize=null. Use top: 'spp' for any input size.",
    );
  }
  const list = new LayerList(o);
  [
    [64, 2],
    [128, 2],
    [256, 4],
    [512, 4],
    [512, 4],
  ].forEach(([filters, count], s) => {
    if (s > 0) list.pool(`pool${s}`, 2);
    for (let i = 1; i <= count; i++) list.conv(`conv${s + 1}_${i}`, filters, 3);
  });
  const head: LayerSpec[] =
    top === 'pool5'
      ? [
          { kind: 'maxPooling2d', name: 'pool5', poolSize: 2, strides: 2 },
          { kind: 'flatten', name: 'flatten' },
        ]
      : sppTop(o);
  return assemble(top === 'pool5' ? 'vgg19' : 'vgg19-spp', o, list, head);
}
