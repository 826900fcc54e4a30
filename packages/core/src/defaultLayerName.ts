// One counter per prefix for the whole process, shared by every package that names layers, so
// two packages never hand out the same `prelu_1`.
const counts = new Map<string, number>();

/**
 * A readable default layer name, `<prefix>_<n>` (`prelu_1`, `prelu_2`, …). Without one, tfjs
 * derives it from the class name: `rectifier_p_re_lu_RectifierPReLU1`.
 */
export function defaultLayerName(prefix: string): string {
  const n = (counts.get(prefix) ?? 0) + 1;
  counts.set(prefix, n);
  return `${prefix}_${n}`;
}
