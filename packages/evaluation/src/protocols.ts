import { type BuiltModel, builtModelOf } from '@rectifier/architectures';
import { centerCrop, type FloatTransform, resizeShorter, tenCrop } from '@rectifier/augmentation';
import type { RawImage } from '@rectifier/data';
import * as tf from '@tensorflow/tfjs';
import { type DenseHeadForm, denseWindowScores } from './denseHead';
import { checkKeys, EvaluationArgumentError, ScaleTooSmallError } from './errors';
import { featureMapSide, smallestInputSide } from './geometry';
import { viewPipeline } from './viewPipeline';

/**
 * Names of the protocols, one per factory below (part of the spec: they appear in reports).
 * The one vocabulary: the app maps its command-line spellings (`ten-view`, …) onto it.
 */
export const protocolNames = ['center', 'tenView', 'dense', 'multiScale', 'ensemble'] as const;
export type ProtocolName = (typeof protocolNames)[number];

/**
 * A testing protocol bound to a model: encoded images in, one averaged softmax score vector per
 * image out. Every protocol's `score` leaves no tensor behind.
 */
export interface Scorer {
  readonly protocol: ProtocolName;
  /** Short label for tables, e.g. `dense(384)`. */
  readonly label: string;
  /** Everything that determines the scores (JSON), for reports. */
  readonly settings: Record<string, unknown>;
  readonly numClasses: number;
  /** Averaged softmax scores of each image (encoded bytes: JPEG, PNG, … as sharp reads them). */
  score(images: readonly Buffer[]): Promise<Float32Array[]>;
  /**
   * The input tensors the model sees for one image (caller disposes): [1 | 10, crop, crop, C]
   * for `center` / `tenView`, [2 | 1, H, W, C] (the resized image, then its mirror) for `dense`;
   * C is the model's input channels (3, or 1 for a grey model).
   */
  views?(image: Buffer): Promise<tf.Tensor4D>;
  /**
   * Set on the composites (`multiScale`, `ensemble`): `score` is the equal-weight mean of these
   * scorers' scores. `evaluateAll` uses it to score a part once per image however many of the
   * scorers it evaluates share it (the dense scales of a multi-scale result, say).
   */
  readonly parts?: readonly Scorer[];
}

/** `multiScale` and `ensemble`: a scorer that averages its `parts`. */
export interface CompositeScorer extends Scorer {
  readonly parts: readonly Scorer[];
}

export interface CropOptions {
  /** Shorter side the image is resized to first. Default 256 (Sec. 3 "Testing"). */
  resize?: number;
  /** Side of the square crops. Default 224; at CPU scale, the model's training crop. */
  crop?: number;
  /** Float transforms after the geometry (e.g. `subtractMean`), as the model was trained. */
  preprocess?: FloatTransform[];
  /** Images per model call (default 16; `tenView` runs 10 crops per image). */
  batchSize?: number;
}

export interface DenseOptions {
  /** Shorter side of the whole image the trunk sees (the paper: 256, 384, 480 — Table 4). */
  scale: number;
  /** Training crop side that defines the window: the trunk's map for it (224 → 14×14 on A/B/C). Default 224. */
  crop?: number;
  preprocess?: FloatTransform[];
  /** Also score the mirrored image and average both (default true, as the paper). */
  flip?: boolean;
  /** `gathered` (default), `dilated` or `batched` window scoring; see `denseWindowScores`. */
  form?: DenseHeadForm;
}

export interface MultiScaleOptions extends Omit<DenseOptions, 'scale'> {
  /** Shorter sides, averaged with equal weights. Default [256, 384, 480] (Table 4). */
  scales?: number[];
}

/**
 * What the protocols test: a `BuiltModel` (from `buildModel`, the model `train()` trained), or a
 * whole `tf.LayersModel` as `loadModel` returns a saved one (its trunk and head are found again
 * by `builtModelOf`).
 */
export type TestedModel = BuiltModel | tf.LayersModel;

const asBuilt = (m: TestedModel): BuiltModel => (m instanceof tf.LayersModel ? builtModelOf(m) : m);

const paper = { resize: 256, crop: 224, scales: [256, 384, 480] }; // Sec. 3 "Testing", Table 4

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new EvaluationArgumentError(
      `Argument \`${name}\` must be a positive integer. Received: ${name}=${JSON.stringify(v)} (${typeof v}).`,
    );
  }
  return v;
}

/**
 * Checks the model reads RGB or grey and `crop` gives a map its pyramid can pool; returns that
 * map's side.
 */
function checkModel(where: string, built: BuiltModel, crop: number): number {
  if (built.spec.inputChannels !== 3 && built.spec.inputChannels !== 1) {
    throw new EvaluationArgumentError(
      `${where}: the protocols feed RGB (3 channels) or grey (1 channel) images, but model ` +
        `${built.spec.name} reads ${built.spec.inputChannels} channels. Build it with inputChannels: 3 or 1.`,
    );
  }
  const levels = built.spec.head.find((l) => l.kind === 'spp');
  const need = levels?.kind === 'spp' ? Math.max(...levels.levels) : 1;
  const side = featureMapSide(built.spec, crop);
  if (side < need) {
    throw new EvaluationArgumentError(
      `${where}: Argument \`crop\`=${crop} gives model ${built.spec.name} a ${side}×${side} map, ` +
        `smaller than its ${need}×${need} pyramid level. Use crop ≥ ${smallestInputSide(built.spec, need)}.`,
    );
  }
  return side;
}

const toTensor = (img: RawImage) =>
  tf.tensor4d(img.data as Float32Array, [1, img.height, img.width, img.channels]);

/** Model scores as softmax probabilities, whether the model ends in softmax or in logits. */
function probabilities(built: BuiltModel, x: tf.Tensor4D, model: tf.LayersModel): tf.Tensor2D {
  const out = model.predict(x) as tf.Tensor2D;
  if (built.spec.options.softmax) return out;
  const p = tf.softmax(out);
  out.dispose();
  return p as tf.Tensor2D;
}

/** Rows of a [images, classes] tensor as one Float32Array per image. */
async function rows(t: tf.Tensor2D): Promise<Float32Array[]> {
  const [n, c] = t.shape;
  const data = (await t.data()) as Float32Array;
  return Array.from({ length: n }, (_, i) => data.slice(i * c, (i + 1) * c));
}

function cropProtocol(
  protocol: 'center' | 'tenView',
  built: BuiltModel,
  options: CropOptions,
): Scorer {
  checkKeys(protocol, options, ['resize', 'crop', 'preprocess', 'batchSize']);
  const resize = positiveInt('resize', options.resize ?? paper.resize);
  const crop = positiveInt('crop', options.crop ?? paper.crop);
  const batchSize = positiveInt('batchSize', options.batchSize ?? 16);
  if (crop > resize) {
    throw new EvaluationArgumentError(
      `${protocol}: Argument \`crop\`=${crop} is larger than \`resize\`=${resize}; use crop ≤ resize.`,
    );
  }
  checkModel(protocol, built, crop);
  const preprocess = options.preprocess ?? [];
  const views = protocol === 'center' ? 1 : 10;
  const decode = viewPipeline(
    built,
    [resizeShorter(resize), protocol === 'center' ? centerCrop(crop) : tenCrop(crop)],
    preprocess,
  );
  const stack = (images: RawImage[]) => tf.concat(images.map(toTensor), 0) as tf.Tensor4D;
  return {
    protocol,
    label: protocol,
    settings: {
      protocol,
      model: built.spec.name,
      resize,
      crop,
      views,
      preprocess: preprocess.map((t) => t.name),
      centreOffset: 'round((side − crop) / 2), half to even (torchvision)',
      average: 'softmax scores',
    },
    numClasses: built.model.outputs[0].shape[1] as number,
    views: async (image) => {
      const imgs = await decode(image);
      return tf.tidy(() => stack(imgs));
    },
    async score(images) {
      const out: Float32Array[] = [];
      for (let start = 0; start < images.length; start += batchSize) {
        const chunk = images.slice(start, start + batchSize);
        const decoded = (await Promise.all(chunk.map(decode))).flat();
        const mean = tf.tidy(() => {
          const p = probabilities(built, stack(decoded), built.model);
          // [images·views, classes] → mean over each image's views: softmax averaged (the paper, Caffe).
          return p.reshape([chunk.length, views, -1]).mean(1) as tf.Tensor2D;
        });
        out.push(...(await rows(mean)));
        mean.dispose();
      }
      return out;
    },
  };
}

/**
 * Single view (Fig. 4's validation error): the image resized so its shorter side is `resize`
 * (256), then its `crop`×`crop` (224) centre crop, at top = round((H − crop)/2),
 * left = round((W − crop)/2) with Python's half-to-even rounding (torchvision's `CenterCrop`;
 * Caffe floors — they differ only when H − crop or W − crop is odd, by one pixel).
 */
export function center(model: TestedModel, options: CropOptions = {}): Scorer {
  return cropProtocol('center', asBuilt(model), options);
}

/**
 * 10-view testing (Sec. 3, Tables 2 and 5): from the image resized to shorter side `resize`
 * (256), the four corner and the centre `crop` (224) crops and their horizontal mirrors, in
 * torchvision `TenCrop` order, exactly `tenCrop` of @rectifier/augmentation. The ten softmax
 * score vectors are averaged (as Caffe and the paper; torchvision's recipe averages logits).
 * Centre offset: round((side − crop)/2), half to even (torchvision); Caffe floors.
 */
export function tenView(model: TestedModel, options: CropOptions = {}): Scorer {
  return cropProtocol('tenView', asBuilt(model), options);
}

/** Window side and the scale check shared by `dense` and `multiScale`. */
function denseGeometry(where: string, built: BuiltModel, scale: number, crop: number): number {
  const window = checkModel(where, built, crop);
  const side = featureMapSide(built.spec, scale);
  if (side < window) {
    throw new ScaleTooSmallError(scale, side, window, smallestInputSide(built.spec, window));
  }
  return window;
}

/**
 * Dense testing ("multi-view testing on feature maps", Sec. 3, Table 4, after SPP-net and
 * Overfeat): the trunk runs once on the whole image resized so its shorter side is `scale` (and
 * once on its mirror); every window of the map size one `crop` gives (14×14 for models A, B, C
 * at 224; at CPU scale whatever the crop gives) at stride 1 is pooled by SPP and scored by the
 * head; the softmax scores of all windows of both images are averaged. The trunk never runs per
 * window; windows are scored by `denseWindowScores` (`gathered` by default).
 *
 * Throws `ScaleTooSmallError` at once, before any image is read, when the map at `scale` is
 * smaller than one window.
 */
export function dense(model: TestedModel, options: DenseOptions): Scorer {
  const built = asBuilt(model);
  checkKeys('dense', options ?? {}, ['scale', 'crop', 'preprocess', 'flip', 'form']);
  const scale = positiveInt('scale', options?.scale);
  const crop = positiveInt('crop', options.crop ?? paper.crop);
  const flip = options.flip ?? true;
  const form = options.form ?? 'gathered';
  if (form !== 'gathered' && form !== 'dilated' && form !== 'batched') {
    throw new EvaluationArgumentError(
      `dense: Argument \`form\` must be 'gathered', 'dilated' or 'batched'. Received: form=${JSON.stringify(form)}.`,
    );
  }
  const window = denseGeometry('dense', built, scale, crop);
  const preprocess = options.preprocess ?? [];
  const decodeAll = viewPipeline(built, [resizeShorter(scale)], preprocess);
  const decode = async (image: Buffer) => (await decodeAll(image))[0];
  const toViews = (img: RawImage) =>
    tf.tidy(() => {
      const x = toTensor(img);
      return flip ? (tf.concat([x, tf.reverse(x, 2)], 0) as tf.Tensor4D) : x;
    });
  const views = async (image: Buffer) => toViews(await decode(image));
  return {
    protocol: 'dense',
    label: `dense(${scale})`,
    settings: {
      protocol: 'dense',
      model: built.spec.name,
      scale,
      crop,
      window,
      flip,
      form,
      preprocess: preprocess.map((t) => t.name),
      average: 'softmax scores of every window (stride 1) of the image and its mirror',
    },
    numClasses: built.model.outputs[0].shape[1] as number,
    views,
    async score(images) {
      const out: Float32Array[] = [];
      // Decode the next image (sharp, its own threads) while this one runs on the model.
      let next = images.length > 0 ? decode(images[0]) : undefined;
      for (let i = 0; i < images.length; i++) {
        const img = await (next as Promise<RawImage>);
        next = i + 1 < images.length ? decode(images[i + 1]) : undefined;
        next?.catch(() => undefined); // awaited next turn; not "unhandled" if this image throws
        const x = toViews(img);
        const mean = tf.tidy(() => {
          const sums = tf.split(x, x.shape[0], 0).map((one) => {
            const map = built.trunk.predict(one) as tf.Tensor4D;
            return denseWindowScores(built, map, { window, form }).mean(0);
          });
          return tf.addN(sums).div(sums.length) as tf.Tensor1D;
        });
        x.dispose();
        out.push((await mean.data()) as Float32Array);
        mean.dispose();
      }
      return out;
    },
  };
}

/** Mean of score sets (one per scorer), image by image, equal weights, summed in float64. */
export function meanScores(sets: readonly Float32Array[][]): Float32Array[] {
  return sets[0].map((first, i) => {
    const sum = Float64Array.from(first);
    for (const set of sets.slice(1)) for (let c = 0; c < sum.length; c++) sum[c] += set[i][c];
    return Float32Array.from(sum, (v) => v / sets.length);
  });
}

/** Mean of several scorers' scores, equal weights, one scorer at a time. */
async function average(scorers: readonly Scorer[], images: readonly Buffer[]) {
  const sets: Float32Array[][] = [];
  for (const scorer of scorers) sets.push(await scorer.score(images));
  return meanScores(sets);
}

/**
 * Multi-scale dense testing (Table 4 "multi-scale", Table 6): `dense` at every scale (default
 * 256, 384, 480), the scores averaged with equal weights. Every scale is checked before any work.
 * Its `parts` are those `dense` scorers (smallest scale first): `evaluateAll([...ms.parts, ms])`
 * reports every scale and the multi-scale mean while running each scale once.
 */
export function multiScale(model: TestedModel, options: MultiScaleOptions = {}): CompositeScorer {
  const built = asBuilt(model);
  checkKeys('multiScale', options, ['scales', 'crop', 'preprocess', 'flip', 'form']);
  const { scales = paper.scales, ...rest } = options;
  if (!Array.isArray(scales) || scales.length === 0) {
    throw new EvaluationArgumentError(
      `multiScale: Argument \`scales\` must be a non-empty array of shorter sides. Received: scales=${JSON.stringify(scales)}.`,
    );
  }
  const members = [...scales]
    .sort((a, b) => a - b)
    .map((scale) => dense(built, { ...rest, scale }));
  return {
    protocol: 'multiScale',
    label: `multiScale(${scales.join(', ')})`,
    settings: { ...members[0].settings, protocol: 'multiScale', scale: undefined, scales },
    numClasses: members[0].numClasses,
    parts: members,
    score: (images) => average(members, images),
  };
}

/**
 * Multi-model testing (Table 7): the mean of several scorers' scores (each its own model and
 * protocol, e.g. `multiScale` of models B and C), equal weights.
 */
export function ensemble(members: readonly Scorer[]): CompositeScorer {
  if (!Array.isArray(members) || members.length === 0) {
    throw new EvaluationArgumentError(
      'ensemble: Argument `members` must be a non-empty array of scorers (center, tenView, dense, multiScale).',
    );
  }
  const classes = members.map((m) => m.numClasses);
  if (classes.some((c) => c !== classes[0])) {
    throw new EvaluationArgumentError(
      `ensemble: every member must score the same classes. Received: numClasses=[${classes.join(', ')}].`,
    );
  }
  return {
    protocol: 'ensemble',
    label: `ensemble(${members.map((m) => m.label).join(' + ')})`,
    settings: { protocol: 'ensemble', members: members.map((m) => m.settings) },
    numClasses: classes[0],
    parts: members,
    score: (images) => average(members, images),
  };
}
