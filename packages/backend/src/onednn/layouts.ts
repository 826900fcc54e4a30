/**
 * The parameter layout of every addon kernel: the names, in order, of the Float64Array a call
 * passes (byte offsets of tensors in the wasm heap, then sizes and flags). The same tables are
 * C++ enums in native/src/layouts.h; `checkLayouts` refuses an addon built from other tables.
 */
const convGeometry = [
  'batch',
  'inHeight',
  'inWidth',
  'inChannels',
  'outHeight',
  'outWidth',
  'outChannels',
  'filterHeight',
  'filterWidth',
  'strideHeight',
  'strideWidth',
  'dilationHeight',
  'dilationWidth',
  'padTop',
  'padBottom',
  'padLeft',
  'padRight',
] as const;

const poolGeometry = [
  'batch',
  'inHeight',
  'inWidth',
  'channels',
  'outHeight',
  'outWidth',
  'filterHeight',
  'filterWidth',
  'strideHeight',
  'strideWidth',
  'padTop',
  'padBottom',
  'padLeft',
  'padRight',
] as const;

export const layouts = {
  conv2d: ['x', 'filter', 'bias', 'y', ...convGeometry, 'withBias', 'relu'],
  conv2dBackpropInput: ['dy', 'filter', 'dx', ...convGeometry],
  conv2dBackpropFilter: ['x', 'dy', 'dw', ...convGeometry],
  matmul: [
    'a',
    'b',
    'bias',
    'c',
    'batchA',
    'batchB',
    'm',
    'k',
    'n',
    'transposeA',
    'transposeB',
    'withBias',
    'relu',
  ],
  maxPool: ['x', 'y', ...poolGeometry],
  maxPoolGrad: ['x', 'dy', 'dx', ...poolGeometry],
  /** Followed by `rank` dims of the output, then `rank` dims of b (1 where broadcast). */
  binary: ['a', 'b', 'c', 'algorithm', 'rank'],
  relu: ['x', 'y', 'size', 'alpha'],
  step: ['x', 'y', 'size', 'alpha'],
  reluGrad: ['dy', 'x', 'dx', 'size', 'alpha'],
  prelu: ['x', 'alpha', 'y', 'rows', 'channels', 'sharedSlope'],
  preluGrad: ['dy', 'x', 'alpha', 'dx', 'dalpha', 'rows', 'channels', 'sharedSlope'],
  sgdUpdate: ['w', 'g', 'v', 'wOut', 'vOut', 'size', 'learningRate', 'weightDecay', 'momentum'],
  /** Followed by `levelCount` levels, then every level's row edges, then its column edges. */
  sppPool: ['x', 'y', 'batch', 'height', 'width', 'channels', 'levelCount'],
  sppGrad: ['x', 'dy', 'dx', 'batch', 'height', 'width', 'channels', 'levelCount'],
} as const;

export type LayoutName = keyof typeof layouts;
export type ConvGeometry = Record<(typeof convGeometry)[number], number>;
export type PoolGeometry = Record<(typeof poolGeometry)[number], number>;

/** A call's values by name; booleans become 1/0. */
export type LayoutValues<K extends LayoutName> = Record<
  (typeof layouts)[K][number],
  number | boolean
>;

/** The Float64Array of `kernel`'s layout (then `rest`, for the rank-dependent tails). */
export function pack<K extends LayoutName>(
  kernel: K,
  values: LayoutValues<K>,
  rest: readonly number[] = [],
): Float64Array {
  const names = layouts[kernel] as readonly string[];
  const out = new Float64Array(names.length + rest.length);
  const byName = values as Record<string, number | boolean>;
  names.forEach((name, i) => {
    out[i] = Number(byName[name]);
  });
  out.set(rest, names.length);
  return out;
}

/**
 * Why an addon's tables (its `layouts()`) differ from these, or `undefined` when they agree:
 * an addon built from an older or newer onednn source would read its parameters in the wrong
 * order.
 */
export function layoutMismatch(native: Record<string, readonly string[]>): string | undefined {
  for (const [kernel, names] of Object.entries(layouts)) {
    const theirs = native[kernel];
    if (theirs === undefined) return `the addon has no \`${kernel}\` kernel`;
    if (theirs.join() !== names.join()) {
      return `the addon's \`${kernel}\` parameters are [${theirs.join(', ')}], this package's [${names.join(', ')}]`;
    }
  }
  return undefined;
}
