import type { BuiltModel } from '@rectifier/architectures';
import { registerWasmTrainingKernels } from '@rectifier/backend';
import { expectAllClose, expectNoLeak, onBackend } from '@rectifier/test-utils';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denseWindowScores } from './denseHead';
import { tinyModel } from './testing/tinyModel';

beforeAll(() => registerWasmTrainingKernels());

// Float32 tolerance: both forms compute the same fc1 sums of F = C·Σn² products (C = 16 channels,
// F ≤ 1008) in different orders; the rounding difference is ~√F·ε·Σ|terms| ≈ 32·6e-8·O(10) ≈ 2e-5
// on O(1) logits, i.e. ≤ 2e-5·p on a probability p. atol 2e-5 leaves no room for a wrong window:
// neighbouring windows' scores differ by O(0.1) with these weights.
const tol = { rtol: 1e-4, atol: 2e-5 };

const cases: Array<{ model: 'small' | 'A'; window: number; maps: Array<[number, number]> }> = [
  // small net, SPP {6,3,2,1}, an 8×8 window (crop 112): adaptive levels 6 and 3 are not uniform
  // (gathered bins), SPP-net levels are (dilated convs).
  {
    model: 'small',
    window: 8,
    maps: [
      [8, 8],
      [11, 9],
      [13, 16],
    ],
  },
  // model A, SPP {7,3,2,1}, the paper's 14×14 window: SPP-net level 3 drops row/column 13.
  {
    model: 'A',
    window: 14,
    maps: [
      [14, 14],
      [17, 15],
    ],
  },
];

describe.each(['wasm', 'cpu'])('on %s', (backend) => {
  for (const { model, window, maps } of cases) {
    for (const binning of ['adaptive', 'sppnet'] as const) {
      describe(`${model}, ${binning} binning, window ${window}`, () => {
        let built: BuiltModel;
        beforeAll(() =>
          onBackend(backend, () => (built = tinyModel(model, { sppBinning: binning }))),
        );
        afterAll(() => built.model.dispose());

        it.each(maps)(
          'both one-pass forms == batched per-window head on a random %d×%d map',
          (h, w) =>
            onBackend(backend, async () => {
              const channels = built.head.inputs[0].shape[3] as number;
              const map = tf.randomNormal(
                [1, h, w, channels],
                0,
                1,
                'float32',
                h * 31 + w,
              ) as tf.Tensor4D;
              const onePass = await expectNoLeak(
                () => denseWindowScores(built, map, { window }),
                1,
              );
              const dilated = await expectNoLeak(
                () => denseWindowScores(built, map, { window, form: 'dilated' }),
                1,
              );
              const batched = await expectNoLeak(
                () => denseWindowScores(built, map, { window, form: 'batched', batchSize: 5 }),
                1,
              );
              const windows = (h - window + 1) * (w - window + 1);
              expect(onePass.shape).toEqual([windows, 7]);
              expectAllClose(onePass.dataSync(), batched.dataSync(), tol);
              expectAllClose(dilated.dataSync(), batched.dataSync(), tol);
              if (h > window) {
                // The batched form is the definition: the head itself on each window's crop.
                const y = 1;
                const x = w - window;
                const direct = tf.tidy(
                  () =>
                    built.head.predict(
                      map.slice([0, y, x, 0], [1, window, window, channels]),
                    ) as tf.Tensor,
                );
                const row = y * (w - window + 1) + x;
                expectAllClose(batched.slice([row, 0], [1, 7]).dataSync(), direct.dataSync(), tol);
                tf.dispose(direct);
              }
              tf.dispose([map, onePass, dilated, batched]);
            }),
        );

        it('a hot cell is seen by exactly the windows that contain it', () =>
          onBackend(backend, () => {
            const [h, w] = maps[maps.length - 1];
            const [r, c] = [h - 3, 2];
            const channels = built.head.inputs[0].shape[3] as number;
            const buffer = tf.buffer([1, h, w, channels], 'float32');
            buffer.set(5, 0, r, c, 1);
            const hot = buffer.toTensor() as tf.Tensor4D;
            const cold = tf.zeros([1, h, w, channels]) as tf.Tensor4D;
            for (const form of ['gathered', 'dilated', 'batched'] as const) {
              const seen = tf.tidy(() =>
                denseWindowScores(built, hot, { window, form })
                  .sub(denseWindowScores(built, cold, { window, form }))
                  .abs()
                  .max(1)
                  .arraySync(),
              ) as number[];
              const columns = w - window + 1;
              const expected = seen.map((_, i) => {
                const [y, x] = [Math.floor(i / columns), i % columns];
                return y <= r && r < y + window && x <= c && c < x + window;
              });
              expect(expected.some((e) => e)).toBe(true);
              expect(expected.some((e) => !e)).toBe(true);
              expect(seen.map((d) => d > 1e-4)).toEqual(expected);
              // Windows without the cell see an all-zero map: the very same scores.
              expect(seen.filter((_, i) => !expected[i]).every((d) => d === 0)).toBe(true);
            }
            tf.dispose([hot, cold]);
          }));
      });
    }
  }
});

describe('denseWindowScores arguments', () => {
  it('rejects a map smaller than the window and an unknown form', () => {
    const built = tinyModel('small');
    const map = tf.zeros([1, 7, 9, 16]) as tf.Tensor4D;
    expect(() => denseWindowScores(built, map, { window: 8 })).toThrow(
      /H, W ≥ window=8.*\[1, 7, 9, 16\]/,
    );
    const fits = tf.zeros([1, 8, 8, 16]) as tf.Tensor4D;
    expect(() => denseWindowScores(built, fits, { window: 8, form: 'slow' as 'batched' })).toThrow(
      /form="slow"/,
    );
    built.model.dispose();
    tf.dispose([map, fits]);
  });
});
