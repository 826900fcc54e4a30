import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { ActivationArgumentError, activation, leakyReLU, prelu, relu } from './index';

describe('argument checks (names, types, shapes)', () => {
  test('misspelt option keys are errors naming the closest valid key', () => {
    expect(() => prelu({ shard: true } as never)).toThrow(ActivationArgumentError);
    expect(() => prelu({ shard: true } as never)).toThrow(/`shard` \(did you mean `shared`\?\)/);
    expect(() => leakyReLU({ alhpa: 0.1 } as never)).toThrow(/`alhpa` \(did you mean `alpha`\?\)/);
    expect(() => relu({ nme: 'r' } as never)).toThrow(/`nme` \(did you mean `name`\?\)/);
    expect(() => activation('prelu', { inti: 0.1 } as never)).toThrow(/did you mean `init`/);
    expect(() => prelu('shared' as never)).toThrow(
      /takes an options object.*"shared" \(a string\)/,
    );
    // tfjs's own layer keys stay valid.
    expect(() => prelu({ name: 'p', trainable: false, inputShape: [4] } as never)).not.toThrow();
  });

  test('wrong types are echoed with their type', () => {
    expect(() => prelu({ init: '0.25' as never })).toThrow(/init="0.25" \(a string\)/);
    expect(() => prelu({ shared: 'yes' as never })).toThrow(/shared="yes" \(a string\)/);
    expect(() => leakyReLU({ alpha: [0.1] as never })).toThrow(/alpha=\[0.1\]/);
  });

  test('a channel-wise PReLU built for 3 channels rejects a 7-channel input at model build time, naming the layer', () => {
    const layer = prelu({ name: 'act3' });
    const a = tf.input({ shape: [5, 5, 3] });
    layer.apply(a);
    const b = tf.input({ shape: [5, 5, 7] });
    expect(() => layer.apply(b)).toThrow(ActivationArgumentError);
    expect(() => layer.apply(b)).toThrow(/PReLU layer "act3" was built for 3 channels.*7/);
    // Eagerly too, before the op's broadcasting error.
    const x = tf.zeros([1, 2, 2, 7]);
    expect(() => layer.apply(x)).toThrow(/"act3" was built for 3 channels/);
    x.dispose();
    // Same channel count, other spatial size: fine.
    expect(() => layer.apply(tf.input({ shape: [9, 2, 3] }))).not.toThrow();
    // Shared slopes take any channel count.
    const shared = prelu({ shared: true });
    shared.apply(a);
    expect(() => shared.apply(b)).not.toThrow();
  });
});
