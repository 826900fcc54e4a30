import {
  defaultLayerName,
  type PyramidBins,
  received,
  scanPyramidBins,
  tfjsLayerKeys,
} from '@rectifier/core';
import * as tf from '@tensorflow/tfjs';
import { ArchitecturesArgumentError, checkOptionKeys, FeatureMapTooSmallError } from './errors';
import { binEdges, type SppBinning } from './sppBins';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface SpatialPyramidPoolingArgs extends LayerArgs {
  /** Bins per side of each pyramid level, e.g. [6, 3, 2, 1] (Table 1) or [7, 3, 2, 1] (Table 3). */
  levels: number[];
  /**
   * Bin edges: `adaptive` (default) = [floor(i·a/n), ceil((i+1)·a/n)), every pixel covered, as
   * PyTorch's `adaptive_max_pool2d` and the released SPP-net code; `sppnet` = window ceil(a/n),
   * stride floor(a/n), the SPP-net paper's formula, which can leave the last row/column out.
   */
  binning?: SppBinning;
}

/**
 * Spatial pyramid pooling (He et al. 2014, used before fc1 in Tables 1 and 3): max-pools an NHWC
 * map of any size into n×n bins for every level n and concatenates the results, so a trunk of
 * convolutions can feed fixed-size fc layers whatever the input size.
 *
 * Shapes: [batch, H, W, C] → [batch, C·Σ n²] for any H, W ≥ max(levels).
 *
 * Feature order: level-major (in the order of `levels`), then bin row-major (row i, column j),
 * then channel: feature index = offset(level) + (i·n + j)·C + c, with offset(level) = C·Σ of the
 * earlier levels' n². This is a row-major flatten of each level's [n, n, C] map, so the slice of
 * fc1's kernel that reads a level reshapes to an n×n×C×units convolution kernel (what dense
 * evaluation uses).
 *
 * Computation: max over a rectangle is separable, so each level pools rows into n bins, then
 * columns. A side that n divides (or any side, with `sppnet` binning) is one `tf.maxPool` with a
 * 1-D window; otherwise each of the n bins is a slice + `tf.max`.
 *
 * Gradient: each bin's gradient goes to exactly one input position, the first maximum of the bin
 * in row-major order — the rule of PyTorch's `adaptive_max_pool2d` / `max_pool2d` (CPU kernels,
 * `val > maxval`). The separable ops' own gradients would reach every tied maximum, once per
 * pass (on an all-zero 9×9 map with levels {7,3,2,1}: 415 positions' worth instead of 63).
 * Ties are common where it matters: a constant or zero-padded region, or a map after PReLU,
 * whose gradient at 0 is not 0. Where the backend registers SPP's kernels (@rectifier/backend
 * does on wasm, its oneDNN engine and webgpu), the pooling and this routing run there as one
 * kernel each; elsewhere the forward is separable and the gradient a scalar loop over the input
 * read back from the backend (a synchronous read; cheap on cpu).
 */
export class SpatialPyramidPooling extends tf.layers.Layer {
  /** Not a tfjs built-in name, so registering it replaces nothing (tfjs's registry is flat). */
  static className = 'RectifierSpatialPyramidPooling';
  readonly levels: number[];
  readonly binning: SppBinning;

  constructor(args: SpatialPyramidPoolingArgs) {
    checkOptionKeys(args, ['levels', 'binning', ...tfjsLayerKeys], 'spp');
    super({ ...args, name: args.name ?? defaultLayerName('spp') });
    const { levels, binning = 'adaptive' } = args;
    if (
      !Array.isArray(levels) ||
      levels.length === 0 ||
      !levels.every((n) => Number.isInteger(n) && n > 0)
    ) {
      throw new ArchitecturesArgumentError(
        'Argument `levels` must be a non-empty array of positive integers. ' +
          `Received: levels=${received(levels)}.`,
      );
    }
    if (binning !== 'adaptive' && binning !== 'sppnet') {
      throw new ArchitecturesArgumentError(
        `Argument \`binning\` must be 'adaptive' or 'sppnet'. Received: binning=${received(binning)}.`,
      );
    }
    this.levels = [...levels];
    this.binning = binning;
  }

  /** Number of bins over all levels, Σ n² (50 for {6,3,2,1}, 63 for {7,3,2,1}). */
  get bins(): number {
    return this.levels.reduce((sum, n) => sum + n * n, 0);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 4) {
      throw new ArchitecturesArgumentError(
        `SpatialPyramidPooling expects an NHWC input of rank 4. Received: shape=[${shape.map(String).join(', ')}].`,
      );
    }
    const [batch, height, width, channels] = shape;
    if (channels == null) {
      throw new ArchitecturesArgumentError(
        'SpatialPyramidPooling needs a known channel count. Received: shape with channels=null.',
      );
    }
    this.checkMapSize(height, width);
    return [batch, channels * this.bins];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      // An eager call skips computeOutputShape: check the rank here too, before any kernel.
      if (x.rank !== 4) {
        throw new ArchitecturesArgumentError(
          `SpatialPyramidPooling "${this.name}" expects an NHWC input of rank 4 ([batch, H, W, C]). ` +
            `Received: shape=[${x.shape.join(', ')}]. Add a batch axis (x.expandDims(0)) for one image.`,
        );
      }
      const [, height, width] = x.shape;
      this.checkMapSize(height, width);
      // The pooled values come from the separable max below; the gradient is routed by
      // `routeToFirstMaxima`, because the separable form's own gradient reaches every tied
      // maximum (once per row pass and once per column pass), not one per bin.
      const pool = tf.customGrad((input, save) => {
        const y = this.pool(input as tf.Tensor4D);
        (save as tf.GradSaveFunc)([input as tf.Tensor]);
        return {
          value: y,
          gradFunc: (dy, saved) =>
            routeToFirstMaxima(
              saved[0] as tf.Tensor4D,
              dy as tf.Tensor2D,
              this.levels,
              this.binning,
            ),
        };
      });
      return pool(x);
    });
  }

  /**
   * Forward pass: [batch, H, W, C] → [batch, C·Σ n²], level-major, bin row-major, channel. One
   * kernel where the backend registers it (@rectifier/backend does on wasm and its oneDNN
   * engine: a scan of the map instead of a pooling, slice and max call per bin row and column).
   */
  private pool(x: tf.Tensor4D): tf.Tensor2D {
    const [batch, height, width, channels] = x.shape;
    if (tf.getKernel(SPP_POOL_KERNEL, tf.getBackend()) !== undefined) {
      return tf
        .engine()
        .runKernel(
          SPP_POOL_KERNEL,
          { x },
          pyramidAttrs(this.levels, this.binning, height, width),
        ) as tf.Tensor2D;
    }
    const pooled = this.levels.map((n) => {
      const rows = poolAxis(x, 1, n, this.binning);
      const bins = poolAxis(rows, 2, n, this.binning);
      return bins.reshape([batch, n * n * channels]);
    });
    return (pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1)) as tf.Tensor2D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), levels: [...this.levels], binning: this.binning };
  }

  private checkMapSize(height: number | null, width: number | null): void {
    const largest = Math.max(...this.levels);
    if ((height != null && height < largest) || (width != null && width < largest)) {
      throw new FeatureMapTooSmallError(height, width, this.levels);
    }
  }
}

/**
 * The input gradient of SPP with PyTorch's tie rule: for every image, level, bin and channel, the
 * bin's output gradient goes to the first position (row-major in the bin) holding the bin's
 * maximum, and nowhere else — PyTorch's CPU `adaptive_max_pool2d` / `max_pool2d` scan
 * (`val > maxval || isnan(val)`, starting from the bin's first pixel), reproduced exactly.
 *
 * Shapes: x [B, H, W, C], dy [B, C·Σ n²] (level-major, bin row-major, channel) → dx [B, H, W, C].
 * Cost: one read of every bin's pixels, Σ over levels of (covered pixels)·B·C comparisons.
 *
 * A scalar loop over the downloaded input, not tensor ops: built from tfjs ops (gather the bins,
 * mark the first maximum with a cumulative count, scatter-add back) the same routing took 6–20×
 * longer on wasm than the whole separable forward + backward it replaces.
 */
function routeToFirstMaxima(
  x: tf.Tensor4D,
  dy: tf.Tensor2D,
  levels: readonly number[],
  binning: SppBinning,
): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  // webgpu cannot read a tensor synchronously (in Node not at all, and headless Chromium on
  // SwiftShader loses its device): @rectifier/backend registers this routing there in WGSL, and
  // on wasm and oneDNN as a scan of the heap (no copy out; threaded over images on oneDNN).
  if (tf.getKernel(SPP_GRAD_KERNEL, tf.getBackend()) !== undefined) {
    return tf
      .engine()
      .runKernel(
        SPP_GRAD_KERNEL,
        { x, dy },
        pyramidAttrs(levels, binning, height, width),
      ) as tf.Tensor4D;
  }
  const xs = x.dataSync();
  const g = dy.dataSync();
  const dx = new Float32Array(xs.length);
  const features = dy.shape[1];
  const pyramid = pyramidAttrs(levels, binning, height, width);
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  for (let b = 0; b < batch; b++) {
    scanPyramidBins(xs, x.shape, b, pyramid, best, at, (f) => {
      for (let k = 0; k < channels; k++) dx[at[k] + k] += g[b * features + f + k];
    });
  }
  return tf.tensor4d(dx, [batch, height, width, channels]);
}

/**
 * The kernels @rectifier/backend registers (its kernelNames.ts has the contract): the gradient on
 * webgpu, wasm and oneDNN; the forward on wasm and oneDNN.
 */
const SPP_GRAD_KERNEL = 'RectifierSppFirstMaximumGrad';
const SPP_POOL_KERNEL = 'RectifierSppMaxPool';

/** Both kernels' attributes: the levels and every level's bin edges, flattened. */
function pyramidAttrs(
  levels: readonly number[],
  binning: SppBinning,
  height: number,
  width: number,
): PyramidBins & tf.NamedAttrMap {
  const edges = (size: number) => levels.flatMap((n) => binEdges(size, n, binning).flat());
  return { levels: [...levels], rowEdges: edges(height), colEdges: edges(width) };
}

/** Max-pools axis 1 (rows) or 2 (columns) of an NHWC tensor into n bins. */
function poolAxis(x: tf.Tensor4D, axis: 1 | 2, n: number, binning: SppBinning): tf.Tensor4D {
  const a = x.shape[axis];
  if (n === 1) return x.max(axis, true);
  const along = (k: number): [number, number] => (axis === 1 ? [k, 1] : [1, k]);
  if (a % n === 0 || binning === 'sppnet') {
    // One pooling op: window ceil(a/n), stride floor(a/n) (both a/n when n divides a). With
    // `sppnet` binning it can yield more than n windows; the paper's bins are the first n.
    const window = Math.ceil(a / n);
    const stride = Math.floor(a / n);
    const pooled = tf.maxPool(x, along(window), along(stride), 'valid');
    if (pooled.shape[axis] === n) return pooled;
    const size: [number, number, number, number] = [-1, -1, -1, -1];
    size[axis] = n;
    return pooled.slice([0, 0, 0, 0], size);
  }
  const parts = binEdges(a, n, binning).map(([start, end]) => {
    const begin: [number, number, number, number] = [0, 0, 0, 0];
    const size: [number, number, number, number] = [-1, -1, -1, -1];
    begin[axis] = start;
    size[axis] = end - start;
    return x.slice(begin, size).max(axis, true);
  });
  return tf.concat(parts, axis) as tf.Tensor4D;
}

/**
 * Spatial pyramid pooling layer, e.g. `spp({ levels: [6, 3, 2, 1] })` before fc1 of the small
 * model (Table 1) or `spp({ levels: [7, 3, 2, 1] })` for models A, B, C (Table 3, 63 bins).
 * See {@link SpatialPyramidPooling} for shapes, binning and the feature order.
 */
export function spp(args: SpatialPyramidPoolingArgs): SpatialPyramidPooling {
  return new SpatialPyramidPooling(args);
}
