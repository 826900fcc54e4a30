import type { ActivationKind } from '@rectifier/activations';
import type { InitKind } from '@rectifier/initializers';
import type { SppBinning } from './sppBins';

// The vocabularies are the activations' and initializers' own lists, re-exported for users of
// this package's options. The fc layers always start at std 0.01, 0.01, 0.001 (Sec. 2.2) and
// every bias at 0, whatever the conv `InitKind`.
export type { ActivationKind, InitKind };

/** One layer of an architecture, as plain data: enough to build it or to count its cost. */
export type LayerSpec =
  | {
      kind: 'conv2d';
      name: string;
      filters: number;
      kernelSize: number;
      strides: number;
      padding: 'valid' | 'same';
    }
  | { kind: 'zeroPadding2d'; name: string; padding: number }
  | { kind: 'maxPooling2d'; name: string; poolSize: number; strides: number }
  | { kind: 'activation'; name: string; activation: ActivationKind }
  | { kind: 'spp'; name: string; levels: number[]; binning: SppBinning }
  | { kind: 'flatten'; name: string }
  | { kind: 'dense'; name: string; units: number; stddev: number; softmax: boolean }
  | { kind: 'dropout'; name: string; rate: number };

/** A whole network as data: what `buildArchitecture` turns into tfjs models and `summarize` counts. */
export interface ArchitectureSpec {
  /** Model name, e.g. `small`, `A`, `vgg19-spp`. */
  name: string;
  /** Input side the model is built for; `null` = any height and width (SPP models only). */
  inputSize: number | null;
  inputChannels: number;
  /** Convolutions up to (and including the activation of) the SPP input. */
  trunk: LayerSpec[];
  /** SPP (or pool5 + flatten for the original VGG-19) and the fc layers. */
  head: LayerSpec[];
  /** Resolved build options. */
  options: ResolvedModelOptions;
}

/** Options shared by every builder. */
export interface ModelOptions {
  /** Rectifier after each conv and fc1, fc2. Default `prelu` (channel-wise, Sec. 2.1). */
  activation?: ActivationKind;
  /** Passed to `@rectifier/activations`: `init` (PReLU initial slope, 0.25 — Sec. 2.1) or `alpha` (LReLU slope). */
  activationOptions?: { init?: number; alpha?: number };
  /** Conv initialisation. Default `msra-fan-out` (Eqn 16, as the paper trains — Sec. 3). */
  init?: InitKind;
  /**
   * Base seed (an integer, 0 included) for the initialisers and dropout masks; layer i uses
   * `deriveSeed(seed, 'init', i)` (`@rectifier/core`), and a dropout layer's training step k draws
   * from `deriveSeed(thatSeed, 'dropout', k)`. Default: unseeded.
   */
  seed?: number;
  /** Units of the last fc layer. Default 1000 (ImageNet). */
  numClasses?: number;
  /**
   * Input side. `null` builds the model for any input size (needed by dense / multi-scale
   * evaluation, which runs the trunk on whole images); a number fixes it and checks at build
   * time that the SPP input is large enough. Default `null`, except VGG-19 with pool5: 224.
   */
  inputSize?: number | null;
  /** Input channels. Default 3 (RGB); 1 for Fashion-MNIST. */
  inputChannels?: number;
  /** Scales every conv layer's filter count (rounded, at least 1). Default 1. */
  widthMultiplier?: number;
  /** Units of fc1 and fc2. Default 4096. */
  fcUnits?: number;
  /** Dropout rate after fc1 and fc2. Default 0.5 (Sec. 3). */
  dropout?: number;
  /** SPP levels. Default {6,3,2,1} for the small/deep nets (Table 1), {7,3,2,1} for A/B/C/VGG-19 SPP (Table 3). */
  sppLevels?: number[];
  /** SPP binning (see `binEdges`). Default `adaptive`. */
  sppBinning?: SppBinning;
  /** Softmax on the last fc layer (default true), or `false` for logits. */
  softmax?: boolean;
}

export type ResolvedModelOptions = Required<Omit<ModelOptions, 'seed' | 'activationOptions'>> & {
  seed: number | undefined;
  activationOptions: { init?: number; alpha?: number };
};
