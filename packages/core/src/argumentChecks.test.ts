import { describe, expect, it } from 'vitest';
import { checkNumber, checkOneOf, checkPositiveInteger, checkSeed } from './argumentChecks';
import { RectifierArgumentError } from './errors';

class DataArgumentError extends RectifierArgumentError {}

describe('argument checks', () => {
  it('checkPositiveInteger: the message augmentation gives today', () => {
    expect(checkPositiveInteger('size', 3)).toBe(3);
    expect(() => checkPositiveInteger('size', 0)).toThrow(
      'Argument `size` must be a positive integer. Received: size=0',
    );
    expect(() => checkPositiveInteger('size', 2.5)).toThrow(/size=2.5/);
    expect(() => checkPositiveInteger('size', '3', DataArgumentError)).toThrow(DataArgumentError);
    expect(() => checkPositiveInteger('size', '3')).toThrow(/size="3" \(a string\)/);
  });

  it('checkNumber: finite and the rule', () => {
    expect(checkNumber('lr', 0.1, 'a positive number', (v) => v > 0)).toBe(0.1);
    expect(() => checkNumber('lr', 0, 'a positive number', (v) => v > 0)).toThrow(
      'Argument `lr` must be a positive number. Received: lr=0',
    );
    expect(() => checkNumber('lr', Number.NaN, 'a number')).toThrow(/lr=NaN/);
    expect(() => checkNumber('lr', Number.POSITIVE_INFINITY, 'a number')).toThrow(/lr=Infinity/);
  });

  it('checkOneOf: lists the choices and suggests the closest', () => {
    const kernels = ['bilinear', 'bicubic', 'nearest'] as const;
    expect(checkOneOf('kernel', 'bicubic', kernels)).toBe('bicubic');
    expect(() => checkOneOf('kernel', 'bicubc', kernels)).toThrow(
      "Argument `kernel` must be one of 'bilinear', 'bicubic', 'nearest'. " +
        `Received: kernel="bicubc" (a string). Did you mean 'bicubic'?`,
    );
    expect(() => checkOneOf('kernel', 3, kernels)).toThrow(/Received: kernel=3$/);
  });

  it('checkSeed: integers, 0 and negatives included; undefined and null pass', () => {
    for (const s of [0, -1, 42, 2 ** 53 - 1, undefined, null])
      expect(() => checkSeed(s)).not.toThrow();
    expect(() => checkSeed(0.5)).toThrow(
      'Argument `seed` must be an integer (|seed| ≤ 2^53 − 1) or undefined. Received: seed=0.5',
    );
    expect(() => checkSeed(2 ** 53)).toThrow(RectifierArgumentError);
    expect(() => checkSeed('1', DataArgumentError)).toThrow(DataArgumentError);
  });
});
