import { describe, expect, it } from 'vitest';
import { closestName } from './closestName';

describe('closestName', () => {
  it('prefers a candidate that contains the name over a nearer edit', () => {
    // `batch` is 2 edits from `cache`, `cachePath` 4: containment wins.
    expect(closestName('cache', ['batch', 'cachePath'])).toBe('cachePath');
  });

  it('otherwise takes the smallest edit distance, case-insensitively, ties to the first', () => {
    expect(closestName('widtMultiplier', ['numClasses', 'widthMultiplier'])).toBe(
      'widthMultiplier',
    );
    expect(closestName('LR', ['momentum', 'lr'])).toBe('lr');
    expect(closestName('ab', ['ax', 'ay'])).toBe('ax');
    expect(closestName('x', [])).toBeUndefined();
  });
});
