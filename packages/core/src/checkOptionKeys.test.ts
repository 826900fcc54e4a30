import { describe, expect, it } from 'vitest';
import { checkOptionKeys } from './checkOptionKeys';
import { RectifierArgumentError } from './errors';
import { received } from './received';

class ActivationArgumentError extends RectifierArgumentError {}

describe('checkOptionKeys', () => {
  // The messages @rectifier/activations and @rectifier/architectures give today
  // (their arguments.test.ts), from the one implementation.
  it('names each unknown key and the closest valid one', () => {
    const prelu = ['shared', 'init', 'name', 'trainable'];
    expect(() => checkOptionKeys({ shard: true }, prelu, 'prelu')).toThrow(
      /`shard` \(did you mean `shared`\?\)/,
    );
    expect(() =>
      checkOptionKeys({ numClass: 10 }, ['numClasses', 'widthMultiplier'], "buildModel('small')"),
    ).toThrow(/`numClass` \(did you mean `numClasses`\?\)/);
    expect(() => checkOptionKeys({ alhpa: 0.1 }, ['alpha', 'name'], 'leakyReLU')).toThrow(
      /`alhpa` \(did you mean `alpha`\?\)/,
    );
  });

  it('gives the whole message, several keys at once', () => {
    expect(() => checkOptionKeys({ shard: 1, nme: 2 }, ['shared', 'name'], 'prelu')).toThrow(
      'Unknown options for prelu: `shard` (did you mean `shared`?), `nme` (did you mean `name`?). ' +
        'Valid options: shared, name.',
    );
    expect(() => checkOptionKeys({ x: 1 }, ['shared'], 'prelu')).toThrow(
      'Unknown option for prelu: `x` (did you mean `shared`?). Valid options: shared.',
    );
  });

  it('rejects a non-object and passes undefined and known keys', () => {
    expect(() => checkOptionKeys('shared', ['shared'], 'prelu')).toThrow(
      'prelu takes an options object. Received: "shared" (a string)',
    );
    expect(() => checkOptionKeys(null, ['shared'], 'prelu')).toThrow(
      'prelu takes an options object. Received: null',
    );
    expect(() => checkOptionKeys([1], ['shared'], 'prelu')).toThrow(/Received: \[1\]/);
    expect(() => checkOptionKeys(undefined, ['shared'], 'prelu')).not.toThrow();
    expect(() => checkOptionKeys({ shared: true }, ['shared'], 'prelu')).not.toThrow();
  });

  it("throws the caller's error class, RectifierArgumentError by default", () => {
    expect(() => checkOptionKeys({ a: 1 }, ['b'], 'f')).toThrow(RectifierArgumentError);
    try {
      checkOptionKeys({ a: 1 }, ['b'], 'f', ActivationArgumentError);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ActivationArgumentError);
      expect((e as Error).name).toBe('ActivationArgumentError');
    }
  });

  it('with no valid keys at all, names the key without a hint', () => {
    expect(() => checkOptionKeys({ a: 1 }, [], 'f')).toThrow(
      'Unknown option for f: `a`. Valid options: .',
    );
  });
});

describe('received', () => {
  it('shows the type of what was received', () => {
    expect(received(0.25)).toBe('0.25');
    expect(received('0.25')).toBe('"0.25" (a string)');
    expect(received([0.1])).toBe('[0.1]');
    expect(received({ a: 1 })).toBe('{"a":1}');
    expect(received(undefined)).toBe('undefined');
    expect(received(null)).toBe('null');
    expect(received(true)).toBe('true (type boolean)');
    expect(received(10n)).toBe('10 (type bigint)');
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(received(cyclic)).toBe('[object Object]');
  });
});
