import { registerWasmTrainingKernels } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ArchitecturesArgumentError } from './errors';
import { describeArchitecture } from './modelRegistry';
import { buildModel } from './models';
import { seededDropout } from './seededDropout';
import { spp } from './spatialPyramidPooling';
import { binEdges } from './sppBins';
import { summarize } from './summarize';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describe('argument checks (names, types, ranks, enum values)', () => {
  test('misspelt model options are errors naming the closest valid key', () => {
    // Used to build a 1000-class model silently.
    expect(() => buildModel('small', { numClass: 10 } as never)).toThrow(
      ArchitecturesArgumentError,
    );
    expect(() => buildModel('small', { numClass: 10 } as never)).toThrow(
      /`numClass` \(did you mean `numClasses`\?\)/,
    );
    expect(() => describeArchitecture('A', { widtMultiplier: 0.5 } as never)).toThrow(
      /`widtMultiplier` \(did you mean `widthMultiplier`\?\)/,
    );
    expect(() => describeArchitecture('small', { extraLayers: 4 })).toThrow(/`extraLayers`/);
    expect(() => describeArchitecture('deep', { extraLayers: 4 })).not.toThrow();
    expect(() => describeArchitecture('vgg19', { tpo: 'spp' } as never)).toThrow(
      /did you mean `top`/,
    );
    expect(() =>
      describeArchitecture('small', { activationOptions: { initt: 0.1 } } as never),
    ).toThrow(/`initt` \(did you mean `init`\?\)/);
    expect(() => spp({ level: [2, 1] } as never)).toThrow(/`level` \(did you mean `levels`\?\)/);
    expect(() => seededDropout({ rat: 0.5 } as never)).toThrow(/did you mean `rate`/);
    expect(() => summarize(describeArchitecture('small'), { inputsize: 224 } as never)).toThrow(
      /did you mean `inputSize`/,
    );
  });

  test('wrong types and enum values are echoed with their type', () => {
    expect(() => describeArchitecture('small', { numClasses: '10' } as never)).toThrow(
      /numClasses="10" \(a string\)/,
    );
    expect(() => describeArchitecture('small', { dropout: '0.5' } as never)).toThrow(
      /dropout="0.5" \(a string\)/,
    );
    expect(() => describeArchitecture('small', { sppBinning: 'caffe' } as never)).toThrow(
      /sppBinning="caffe"/,
    );
    expect(() => describeArchitecture('small', { softmax: 'no' } as never)).toThrow(/softmax="no"/);
    // Used to fall back to adaptive binning silently.
    expect(() => binEdges(5, 2, 'bogus' as never)).toThrow(/binning="bogus" \(a string\)/);
    expect(() => summarize('small' as never)).toThrow(/`model` must be a tf.LayersModel/);
  });

  test("SPP: an eager rank-3 input gets the layer's rank error (not a kernel error), and symbolic shapes print null", () => {
    const x = tf.zeros([6, 6, 3]);
    expect(() => spp({ levels: [2, 1] }).apply(x)).toThrow(ArchitecturesArgumentError);
    expect(() => spp({ levels: [2, 1] }).apply(x)).toThrow(/rank 4.*shape=\[6, 6, 3\].*expandDims/);
    x.dispose();
    const input = tf.input({ shape: [6, 3] });
    expect(() => spp({ levels: [2, 1] }).apply(input)).toThrow(/shape=\[null, 6, 3\]/);
  });
});
