import { describe, expect, it } from 'vitest';
import { defaultLayerName } from './defaultLayerName';
import { tfjsLayerKeys } from './tfjsLayerKeys';

describe('defaultLayerName', () => {
  it('counts per prefix from 1', () => {
    expect(defaultLayerName('core_test_a')).toBe('core_test_a_1');
    expect(defaultLayerName('core_test_a')).toBe('core_test_a_2');
    expect(defaultLayerName('core_test_b')).toBe('core_test_b_1');
    expect(defaultLayerName('core_test_a')).toBe('core_test_a_3');
  });

  it('tfjsLayerKeys holds the LayerArgs a layer must accept', () => {
    expect(tfjsLayerKeys).toEqual(
      expect.arrayContaining([
        'name',
        'trainable',
        'inputShape',
        'batchInputShape',
        'customObjects',
      ]),
    );
  });
});
