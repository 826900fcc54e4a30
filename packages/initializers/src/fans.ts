import { received } from '@rectifier/core';
import { InitializerArgumentError } from './errors';

/** Fan-in and fan-out of a weight tensor. */
export interface Fans {
  fanIn: number;
  fanOut: number;
}

/**
 * Fans of a kernel in tfjs layout. Conv `[kh, kw, cin, cout]` (and any rank ≥ 3, the receptive
 * field being every axis before the last two): fanIn = kh·kw·cin = k²·c (Eqn 12's n),
 * fanOut = kh·kw·cout = k²·d (Eqn 16's n̂). Dense `[in, out]`: fanIn = in, fanOut = out.
 * A vector `[n]` has fanIn = fanOut = n (as Keras).
 */
export function computeFans(shape: readonly number[]): Fans {
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)
  ) {
    throw new InitializerArgumentError(
      `Argument \`shape\` must be a non-empty array of positive integers (e.g. [3, 3, 64, 128] ` +
        `for a conv kernel). Received: shape=${received(shape)}`,
    );
  }
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return {
    fanIn: receptive * shape[shape.length - 2],
    fanOut: receptive * shape[shape.length - 1],
  };
}
