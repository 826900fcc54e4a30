import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  computeFans,
  gaussian,
  InitializerArgumentError,
  msra,
  msraStd,
  propagation,
  xavier,
} from './index';

describe('argument checks (names, types)', () => {
  test('misspelt option keys are errors naming the closest valid key', () => {
    expect(() => msra({ fanMode: 'fanOut' } as never)).toThrow(InitializerArgumentError);
    expect(() => msra({ fanMode: 'fanOut' } as never)).toThrow(
      /`fanMode` \(did you mean `mode`\?\)/,
    );
    expect(() => xavier({ sed: 1 } as never)).toThrow(/`sed` \(did you mean `seed`\?\)/);
    expect(() => gaussian({ stdev: 0.01 } as never)).toThrow(/`stdev` \(did you mean `stddev`\?\)/);
    expect(() => msraStd([3, 3, 4, 8], { slop: 0.25 } as never)).toThrow(/did you mean `slope`/);
    const i = tf.input({ shape: [2] });
    const model = tf.model({
      inputs: i,
      outputs: tf.layers.dense({ units: 2 }).apply(i) as tf.SymbolicTensor,
    });
    const x = tf.zeros([1, 2]);
    expect(() => propagation(model, x, { slop: 0 } as never)).toThrow(/did you mean `slope`/);
    expect(() => propagation(x as never, x)).toThrow(/`model` must be a tf.LayersModel/);
    expect(() => propagation(model, [1, 2] as never)).toThrow(/input=\[1, 2\]/);
    x.dispose();
    model.dispose();
  });

  test('wrong types are echoed with their type', () => {
    expect(() => msra({ slope: '0.25' as never })).toThrow(/slope="0.25" \(a string\)/);
    expect(() => msra({ mode: 1 as never })).toThrow(/mode=1/);
    expect(() => gaussian({ stddev: '0.01' as never })).toThrow(/stddev="0.01" \(a string\)/);
    expect(() => gaussian(undefined as never)).toThrow(/needs its `stddev`/);
    expect(() => computeFans(['3', 3] as never)).toThrow(/shape=\["3", 3\]/);
    expect(() => computeFans(3 as never)).toThrow(/shape=3/);
  });
});
