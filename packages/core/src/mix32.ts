/**
 * splitmix32's step and murmur3's 32-bit finaliser: a bijection on uint32 in which every input
 * bit flips each output bit with probability ≈ 1/2, so nearby inputs (seed, seed + 1) give
 * unrelated outputs. Internal: shared by {@link deriveSeed} and {@link createRng}.
 */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
