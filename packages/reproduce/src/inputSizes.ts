import { totalmem } from 'node:os';
import { type BuiltModel, summarize } from '@rectifier/architectures';
import { featureMapSide, smallestInputSide } from '@rectifier/evaluation';
import * as tf from '@tensorflow/tfjs';
import { UsageError } from './errors';

/** What a wasm32 heap can address (2³² bytes): tfjs's wasm engine (and oneDNN's, under it). */
export const WASM_HEAP_BYTES = 2 ** 32;

/**
 * A LOWER bound of the bytes one forward pass holds at its peak for `views` square images of
 * side `scale` (dense testing feeds an image and its mirror: 2): the weights, plus for the
 * costliest layer its input, its output and — for a convolution lowered to a matrix product —
 * its patch matrix (H_out·W_out·k_h·k_w·C_in values, = its multiply-adds / C_out), in float32.
 * Every term grows with scale², the weights aside. Measured: `--scales 4000` on the small net at
 * width ¼ (table2's) ran the 4 GiB wasm heap out after 3.9 GB; this bound gives 5.6 GB for it
 * (first conv, 7×7/2 with 16 filters: 0.19 GB input, 0.26 GB output, 2.3 GB patches; × 2 views)
 * and 3431 as the largest scale that fits.
 */
export function forwardBytes(built: Pick<BuiltModel, 'spec'>, scale: number, views = 2): number {
  const s = summarize(built.spec, { inputSize: scale });
  let input = scale * scale * 3;
  let peak = 0;
  for (const l of s.layers) {
    const out = l.outputShape.reduce((a, b) => a * b, 1);
    const channels = l.outputShape[l.outputShape.length - 1];
    const patches = l.kind === 'conv2d' && channels > 0 ? l.multiplyAdds / channels : 0;
    peak = Math.max(peak, input + out + patches);
    input = out;
  }
  return 4 * (s.totalParams + views * peak);
}

/** The memory the running engine can address: the wasm heap, else the machine's RAM. */
export function addressableBytes(): { bytes: number; what: string } {
  if (tf.getBackend() === 'wasm') {
    return { bytes: WASM_HEAP_BYTES, what: 'the 4 GiB a wasm engine can address' };
  }
  return { bytes: totalmem(), what: "this machine's memory" };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/**
 * Refuses, before any image is read, a test scale whose forward pass cannot fit in what the
 * engine addresses (see {@link forwardBytes}), naming the largest scale that fits.
 */
export function checkScalesFit(
  built: Pick<BuiltModel, 'spec'>,
  scales: readonly number[],
  flag = '--scales',
): void {
  const { bytes: limit, what } = addressableBytes();
  for (const scale of scales) {
    const need = forwardBytes(built, scale);
    if (need <= limit) continue;
    // Bytes grow as scale², so this estimate is close; step down until it fits.
    let fits = Math.floor(scale * Math.sqrt(limit / need));
    while (fits > 1 && forwardBytes(built, fits) > limit) fits = Math.floor(fits * 0.98);
    throw new UsageError(
      `${flag}: testing at scale ${scale} needs at least ${gb(need)} for one image and its mirror (the costliest layer's input, output and patch matrix, and the weights), more than ${what} (${gb(limit)}). Use scales of at most ${fits}.`,
    );
  }
}

/**
 * The net takes any input size (its SPP layer pools whatever map it gets), so a crop too small
 * for the pyramid would only fail inside the first training step, after the run directory was
 * written. Checked on the architecture instead, before any work: a usage error (exit 2) naming
 * the smallest crop that works.
 */
export function checkCropFits(
  built: Pick<BuiltModel, 'spec'>,
  c: { crop: number; model: string },
): void {
  const { spec } = built;
  const spp = spec.head.find((l) => l.kind === 'spp');
  if (spp?.kind !== 'spp' || spec.inputSize !== null) return;
  const need = Math.max(...spp.levels);
  const side = featureMapSide(spec, c.crop);
  if (side < need) {
    throw new UsageError(
      `\`crop\`=${c.crop} is too small for model ${c.model} (FeatureMapTooSmallError): its last feature map would be ${side}×${side}, smaller than the ${need}×${need} pyramid level. Use crop ≥ ${smallestInputSide(spec, need)} (and resize ≥ crop).`,
    );
  }
}
