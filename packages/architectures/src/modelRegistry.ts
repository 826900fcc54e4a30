import { received } from '@rectifier/core';
import type { ArchitectureSpec } from './architectureSpec';
import { cpuScaleVariants } from './cpuScale';
import {
  type DeepNetOptions,
  describeDeepNet,
  describeModelA,
  describeModelB,
  describeModelC,
  describeSmallNet,
  describeVgg19,
  type Vgg19Options,
} from './describeArchitecture';
import { ArchitecturesArgumentError } from './errors';

/** The models this package registers, in the order the paper introduces them. */
export const builtinModelNames = ['small', 'deep', 'A', 'B', 'C', 'vgg19', 'vgg19-spp'] as const;

/**
 * Names accepted by `buildModel` / `describeArchitecture`: the built-in ones (completed by
 * editors) and any name given to `registerModel`.
 */
export type ModelName = (typeof builtinModelNames)[number] | (string & {});

/** Options every registered model's describer receives (each reads the keys it knows). */
export type ModelBuildOptions = DeepNetOptions & Vgg19Options;

/** How a model is trained at CPU scale: its options there and the training crop side. */
export interface CpuVariant {
  options: ModelBuildOptions;
  /** Side of the training crops (the model itself accepts any size ≥ the minimum). */
  cropSize: number;
}

/** One registered model: its describer and, if it has one, its CPU-scale variant. */
export interface ModelEntry {
  name: ModelName;
  describe: (options: ModelBuildOptions) => ArchitectureSpec;
  cpuVariant: CpuVariant | null;
}

const registry = new Map<string, ModelEntry>();

/**
 * Every registered model name, in registration order. One live list: `registerModel` appends to
 * it, so types, the app's config check and its CLI help all read the same names.
 */
export const modelNames: readonly ModelName[] = [];

/**
 * Adds a model to the registry (timm's `@register_model`): afterwards `buildModel(name, options)`,
 * `describeArchitecture(name, options)`, `modelNames` and the `rectifier` CLI know it, with no
 * other file to edit. `describe` turns options into an `ArchitectureSpec` (compose one from the
 * `describe*` functions or write the layer list); `cpuVariant` says how to train it at CPU scale.
 * A name can be registered once.
 */
export function registerModel(
  name: string,
  describe: (options: ModelBuildOptions) => ArchitectureSpec,
  cpuVariant?: CpuVariant,
): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new ArchitecturesArgumentError(
      `registerModel: Argument \`name\` must be a non-empty string of letters, digits, '_', '.', '-'. Received: name=${received(name)}.`,
    );
  }
  if (typeof describe !== 'function') {
    throw new ArchitecturesArgumentError(
      `registerModel: Argument \`describe\` must be a function (options) => ArchitectureSpec. Received: describe=${received(describe)}.`,
    );
  }
  if (registry.has(name)) {
    throw new ArchitecturesArgumentError(
      `registerModel: a model named ${JSON.stringify(name)} is registered already; choose another name (registered: ${modelNames.join(', ')}).`,
    );
  }
  registry.set(name, { name, describe, cpuVariant: cpuVariant ?? null });
  (modelNames as ModelName[]).push(name);
}

/** The registry entry of `name`, or an error listing the registered names. */
export function modelEntry(name: ModelName): ModelEntry {
  const entry = typeof name === 'string' ? registry.get(name) : undefined;
  if (entry === undefined) {
    throw new ArchitecturesArgumentError(
      `Argument \`name\` must be one of ${modelNames.map((n) => `'${n}'`).join(', ')} (or a name given to registerModel). Received: name=${received(name)}.`,
    );
  }
  return entry;
}

/** The architecture called `name`, as data (no tensors are allocated). */
export function describeArchitecture(
  name: ModelName,
  options: ModelBuildOptions = {},
): ArchitectureSpec {
  return modelEntry(name).describe(options);
}

registerModel('small', describeSmallNet, cpuScaleVariants.small);
registerModel('deep', describeDeepNet, cpuScaleVariants.deep);
registerModel('A', describeModelA, cpuScaleVariants.A);
registerModel('B', describeModelB, cpuScaleVariants.B);
registerModel('C', describeModelC, cpuScaleVariants.C);
registerModel('vgg19', (o) => describeVgg19({ ...o, top: 'pool5' }));
registerModel('vgg19-spp', (o) => describeVgg19({ ...o, top: 'spp' }), cpuScaleVariants.vgg19Spp);
