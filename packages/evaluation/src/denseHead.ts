import { type BuiltModel, binEdges, type SppBinning } from '@rectifier/architectures';
import * as tf from '@tensorflow/tfjs';
import { EvaluationArgumentError } from './errors';

/** How `denseWindowScores` scores the windows of a feature map. */
export type DenseHeadForm = 'gathered' | 'dilated' | 'batched';

export interface DenseWindowOptions {
  /** Window side on the feature map (the map the trunk gives for one training crop). */
  window: number;
  /** `gathered` (default) or `dilated`: every window in one pass of shared pools; `batched`: crop every window and run the head on them in batches. */
  form?: DenseHeadForm;
  /** Windows per head call of the `batched` form (default 64): bounds its memory. */
  batchSize?: number;
}

/** The pieces of an SPP head the one-pass form needs. */
interface SppHead {
  levels: number[];
  binning: SppBinning;
  fc1: tf.layers.Layer;
  /** fc1 is also the last layer and carries the softmax (a head with one fc layer). */
  fc1Softmax: boolean;
  /** Head layers after fc1 (activations, dropout, fc2, fc3), applied in inference mode. */
  rest: tf.layers.Layer[];
  /** The model ends in logits (`softmax: false`), so scores need a softmax. */
  logits: boolean;
}

function sppHead(built: BuiltModel): SppHead {
  const layers = built.spec.head;
  const sppIndex = layers.findIndex((l) => l.kind === 'spp');
  const spp = layers[sppIndex];
  const fc1 = layers[sppIndex + 1];
  if (spp?.kind !== 'spp' || fc1?.kind !== 'dense') {
    throw new EvaluationArgumentError(
      `Dense evaluation needs a head that starts with SPP then fc1; model ${built.spec.name} has ` +
        `[${layers.map((l) => l.kind).join(', ')}]. Build it with SPP (e.g. 'vgg19-spp' instead of 'vgg19').`,
    );
  }
  return {
    levels: spp.levels,
    binning: spp.binning,
    fc1: built.head.getLayer(fc1.name),
    rest: layers.slice(sppIndex + 2).map((l) => built.head.getLayer(l.name)),
    fc1Softmax: fc1.softmax,
    logits: !built.spec.options.softmax,
  };
}

/**
 * Softmax scores of every window×window window at stride 1 of a trunk feature map, as
 * [windows, classes] in row-major window order (window (y, x) at row y·(W − window + 1) + x).
 * Each row equals `head.predict` on that window's crop of the map (tested), whichever form:
 *
 * - `batched`: slices every window out of the map and runs the head on them, `batchSize` at a time.
 * - `gathered` (default; one pass): SPP + fc1 of all windows at once. Each level pools the map
 *   once per distinct bin height×width with stride 1; every window's bin (i, j) is then the
 *   pooled value at the window's corner shifted by the bin's start, so all windows' SPP features
 *   are n² shifted slices of those pools, concatenated in SPP feature order, and fc1's whole
 *   kernel applies in one matmul. Exact for both binnings.
 * - `dilated` (one pass, the form of SPEC "Known traps"): SPP + fc1 of all windows at once, with
 *   no [windows, features] matrix. For a
 *   pyramid level of n×n bins whose bins inside a window are uniform — the same width k and
 *   starts i·t, as SPP-net binning always is, and adaptive binning when it happens to be — the
 *   level is one stride-1 max-pool P = maxPool_k(map) followed by fc1's slice of that level as
 *   an n×n convolution with dilation t: for the window at (y, x),
 *
 *     z(y, x) = Σ_levels Σ_{i,j<n} Σ_c P(y + i·t, x + j·t, c) · W_level[(i·n + j)·C + c, :]
 *
 *   (the feature order of `SpatialPyramidPooling`; for a 14×14 window with SPP {7,3,2,1} and
 *   SPP-net binning: pool 2 / 7×7 conv dilation 2, pool 5 / 3×3 dilation 4, pool 7 / 2×2
 *   dilation 7, pool 14 / 1×1 — SPEC "Known traps"). Adaptive bins that are not uniform (e.g.
 *   n = 3 on an 8-wide window: widths 3, 4, 3) pool once per distinct bin height×width, gather
 *   each bin's shifted slice of its pool, and apply the level's fc1 slice as one matmul.
 *   On wasm it copies fc1's kernel slices and XNNPACK repacks them as conv filters on every
 *   call, which at CPU scale costs more than it saves (docs/performance.md).
 *
 * In both one-pass forms fc2 and fc3 are then per-window dense layers, i.e. 1×1 convolutions
 * over the window grid.
 *
 * Shapes: map [1, H, W, C] with H, W ≥ window → [(H − window + 1)·(W − window + 1), classes].
 */
export function denseWindowScores(
  built: BuiltModel,
  map: tf.Tensor4D,
  options: DenseWindowOptions,
): tf.Tensor2D {
  const { window, form = 'gathered', batchSize = 64 } = options;
  const [batch, height, width] = map.shape;
  if (batch !== 1 || height < window || width < window) {
    throw new EvaluationArgumentError(
      `denseWindowScores expects one feature map [1, H, W, C] with H, W ≥ window=${window}. ` +
        `Received: shape=[${map.shape.join(', ')}].`,
    );
  }
  if (form === 'batched') return batchedScores(built, map, window, batchSize);
  if (form !== 'gathered' && form !== 'dilated') {
    throw new EvaluationArgumentError(
      `Argument \`form\` must be 'gathered', 'dilated' or 'batched'. Received: form=${JSON.stringify(form)}.`,
    );
  }
  return onePassScores(sppHead(built), map, window, form === 'gathered');
}

function batchedScores(
  built: BuiltModel,
  map: tf.Tensor4D,
  window: number,
  batchSize: number,
): tf.Tensor2D {
  const [, height, width, channels] = map.shape;
  const positions: Array<[number, number]> = [];
  for (let y = 0; y <= height - window; y++) {
    for (let x = 0; x <= width - window; x++) positions.push([y, x]);
  }
  const logits = !built.spec.options.softmax;
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < positions.length; start += batchSize) {
    parts.push(
      tf.tidy(() => {
        const crops = positions
          .slice(start, start + batchSize)
          .map(([y, x]) => map.slice([0, y, x, 0], [1, window, window, channels]));
        const out = built.head.predict(tf.concat(crops, 0)) as tf.Tensor2D;
        return logits ? tf.softmax(out) : out;
      }),
    );
  }
  if (parts.length === 1) return parts[0];
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

/** Pool width k and stride t when a level's bins are evenly placed (start i·t, all k wide). */
function uniformBins(edges: ReadonlyArray<readonly [number, number]>): [number, number] | null {
  const k = edges[0][1] - edges[0][0];
  const t = edges.length > 1 ? edges[1][0] - edges[0][0] : 1;
  const uniform = edges.every(([s, e], i) => s === i * t && e - s === k);
  return uniform ? [k, t] : null;
}

/**
 * Every window's n²·C features of one level, [1, outH, outW, n²·C] in (bin row, bin column,
 * channel) order = the SPP feature order: one stride-1 max-pool per distinct bin height×width
 * (cached in `pools`), and each bin's shifted slice of its pool.
 */
function gatherLevel(
  map: tf.Tensor4D,
  edges: ReadonlyArray<readonly [number, number]>,
  outH: number,
  outW: number,
  pools: Map<string, tf.Tensor4D>,
): tf.Tensor4D {
  const channels = map.shape[3];
  const pool = (a: number, b: number) => {
    const key = `${a}x${b}`;
    if (!pools.has(key)) pools.set(key, tf.maxPool(map, [a, b], 1, 'valid'));
    return pools.get(key) as tf.Tensor4D;
  };
  const bins: tf.Tensor4D[] = [];
  for (const [r0, r1] of edges) {
    for (const [c0, c1] of edges) {
      bins.push(pool(r1 - r0, c1 - c0).slice([0, r0, c0, 0], [1, outH, outW, channels]));
    }
  }
  return bins.length === 1 ? bins[0] : (tf.concat(bins, 3) as tf.Tensor4D);
}

function onePassScores(
  head: SppHead,
  map: tf.Tensor4D,
  window: number,
  gathered: boolean,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [, height, width, channels] = map.shape;
    const outH = height - window + 1;
    const outW = width - window + 1;
    const [kernel, bias] = head.fc1.getWeights() as [tf.Tensor2D, tf.Tensor1D | undefined];
    const units = kernel.shape[1];
    const pools = new Map<string, tf.Tensor4D>();
    let z: tf.Tensor2D;
    if (gathered) {
      // All levels' features of every window, then fc1's whole kernel in one matmul.
      const features = head.levels.map((n) =>
        gatherLevel(map, binEdges(window, n, head.binning), outH, outW, pools),
      );
      const all = features.length === 1 ? features[0] : tf.concat(features, 3);
      z = all.reshape([outH * outW, kernel.shape[0]]).matMul(kernel) as tf.Tensor2D;
    } else {
      const levels: tf.Tensor2D[] = [];
      let offset = 0;
      for (const n of head.levels) {
        const edges = binEdges(window, n, head.binning);
        const slice = kernel.slice([offset, 0], [n * n * channels, units]);
        offset += n * n * channels;
        const uniform = uniformBins(edges);
        if (uniform) {
          const [k, t] = uniform;
          const pooled = tf.maxPool(map, [k, k], 1, 'valid');
          const filter = slice.reshape([n, n, channels, units]) as tf.Tensor4D;
          // Valid output side: H − k + 1 − (n − 1)·t ≥ H − window + 1; windows are the first outH.
          const conv = tf.conv2d(pooled, filter, 1, 'valid', 'NHWC', t);
          levels.push(
            conv.slice([0, 0, 0, 0], [1, outH, outW, units]).reshape([outH * outW, units]),
          );
        } else {
          const features = gatherLevel(map, edges, outH, outW, pools);
          levels.push(
            features.reshape([outH * outW, n * n * channels]).matMul(slice) as tf.Tensor2D,
          );
        }
      }
      z = levels.length === 1 ? levels[0] : (tf.addN(levels) as tf.Tensor2D);
    }
    let out: tf.Tensor = bias ? z.add(bias) : z;
    if (head.fc1Softmax) out = tf.softmax(out);
    for (const layer of head.rest) out = layer.apply(out, { training: false }) as tf.Tensor;
    return (head.logits ? tf.softmax(out) : out) as tf.Tensor2D;
  });
}
