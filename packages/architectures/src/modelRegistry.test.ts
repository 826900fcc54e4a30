import { describe, expect, test } from 'vitest';
import { describeSmallNet } from './describeArchitecture';
import { ArchitecturesArgumentError } from './errors';
import {
  builtinModelNames,
  describeArchitecture,
  modelEntry,
  modelNames,
  registerModel,
} from './modelRegistry';
import { buildModel } from './models';
import { summarize } from './summarize';

describe('registerModel', () => {
  test('the built-in models are registered in the paper’s order, with their CPU variants', () => {
    expect(modelNames).toEqual([...builtinModelNames]);
    expect(modelEntry('A').cpuVariant).toEqual({
      model: 'A',
      options: { widthMultiplier: 0.125, fcUnits: 1024, numClasses: 10 },
      cropSize: 112,
    });
    expect(modelEntry('vgg19').cpuVariant).toBeNull();
    expect(describeArchitecture('vgg19-spp').name).toBe('vgg19-spp');
  });

  test('a registered model is built, described and listed by name with no other edit', () => {
    // The small net without its last two 2×2 convs, as a user's own variant would be written.
    registerModel(
      'small-short',
      (options) => {
        const spec = describeSmallNet(options);
        const cut = spec.trunk.findIndex((l) => l.name === 'conv3_5');
        return { ...spec, name: 'small-short', trunk: spec.trunk.slice(0, cut) };
      },
      { options: { widthMultiplier: 0.5, numClasses: 10 }, cropSize: 112 },
    );
    expect(modelNames).toContain('small-short');
    const spec = describeArchitecture('small-short', { widthMultiplier: 1 / 16 });
    expect(spec.trunk.some((l) => l.name === 'conv3_5')).toBe(false);
    expect(summarize(spec, { inputSize: 112 }).layers.at(-1)?.name).toBe('fc3');
    const built = buildModel('small-short', { widthMultiplier: 1 / 32, fcUnits: 8, seed: 1 });
    expect(built.spec.name).toBe('small-short');
    expect(built.model.outputs[0].shape).toEqual([null, 1000]);
    built.model.dispose();
    expect(modelEntry('small-short').cpuVariant?.cropSize).toBe(112);
  });

  test('refuses a taken name, a bad name and a describer that is not a function', () => {
    expect(() => registerModel('A', describeSmallNet)).toThrow(
      /a model named "A" is registered already/,
    );
    expect(() => registerModel('', describeSmallNet)).toThrow(ArchitecturesArgumentError);
    expect(() => registerModel('x', 'small' as never)).toThrow(/`describe` must be a function/);
    expect(() => buildModel('nope')).toThrow(/Received: name="nope"/);
  });
});
