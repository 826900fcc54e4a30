import { describe, expect, test } from 'vitest';
import { BackendArgumentError, selectBackend } from './index';

describe('selectBackend argument checks', () => {
  test('a misspelt option names the closest valid key; values are echoed with their type', async () => {
    await expect(selectBackend({ prefered: 'wasm' } as never)).rejects.toThrow(
      BackendArgumentError,
    );
    await expect(selectBackend({ prefered: 'wasm' } as never)).rejects.toThrow(
      /`prefered` \(did you mean `prefer`\?\)/,
    );
    await expect(selectBackend({ threads: '2' } as never)).rejects.toThrow(
      /threads="2" \(a string\)/,
    );
    await expect(selectBackend('wasm' as never)).rejects.toThrow(/takes an options object/);
  });
});
