import { onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test, vi } from 'vitest';
import { SppGrad, SppMaxPool } from '../kernelNames';
import { oneDnnTests, useOneDnnAddon } from '../testing/oneDnnTests';
import { type SppCase, sppCases } from '../testing/sppCases';
import { setOneDnnEnabled } from './register';

// SPP both ways on the engine: the same scan as the wasm kernels (wasm/spp.test.ts checks those
// against the definition), threaded over images, so every thread count gives wasm's bits.
const oneDnn = useOneDnnAddon();

/** y and dx of the SPP kernels on the wasm backend (the engine on or off), read back. */
function sppBothWays(c: SppCase): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor(c.x, c.shape);
    const dy = tf.tensor(c.dy, [c.shape[0], c.dy.length / c.shape[0]]);
    const attrs = c.attrs as unknown as tf.NamedAttrMap;
    return [
      tf.engine().runKernel(SppMaxPool, { x }, attrs) as tf.Tensor,
      tf.engine().runKernel(SppGrad, { x, dy }, attrs) as tf.Tensor,
    ].map((t) => t.dataSync() as Float32Array);
  });
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.runIf(oneDnnTests)('oneDNN SPP: one threaded scan each way', () => {
  test.each(sppCases)('$label: the bits of the wasm kernels on 1 and 2 threads', async (c) => {
    const pool = vi.spyOn(oneDnn(), 'sppPool');
    const grad = vi.spyOn(oneDnn(), 'sppGrad');
    const wasm = await onBackend('wasm', () => sppBothWays(c));
    setOneDnnEnabled(true);
    const one = await onBackend('wasm', () => sppBothWays(c));
    oneDnn().setThreads(2);
    const two = await onBackend('wasm', () => sppBothWays(c));
    expect(pool).toHaveBeenCalledTimes(2);
    expect(grad).toHaveBeenCalledTimes(2);
    for (const out of [one, two]) {
      expect(bits(out[0]), 'y').toEqual(bits(wasm[0]));
      expect(bits(out[1]), 'dx').toEqual(bits(wasm[1]));
    }
  });

  test('a bin outside the map is refused, not read past the tensor', async () => {
    const c = sppCases[0];
    setOneDnnEnabled(true);
    const bad = { ...c, attrs: { ...c.attrs, rowEdges: c.attrs.rowEdges.map((e) => e + 3) } };
    await expect(onBackend('wasm', () => sppBothWays(bad))).rejects.toThrow(
      /spp: a bin outside the map or empty/,
    );
  });

  test('no tensor leaks over repeated calls', async () => {
    setOneDnnEnabled(true);
    await onBackend('wasm', () => {
      sppBothWays(sppCases[5]);
      const before = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      for (let i = 0; i < 10; i++) sppBothWays(sppCases[5]);
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.memory().numBytes).toBe(bytes);
    });
  });
});
