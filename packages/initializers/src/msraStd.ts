import { received } from '@rectifier/core';
import { checkOptionKeys, InitializerArgumentError } from './errors';
import { computeFans } from './fans';

/** Which layer size the variance is matched to (Sec. 2.2). */
export type FanMode = 'fanIn' | 'fanOut';

/** Options of `msraStd`. */
export interface MsraStdOptions {
  /** 'fanIn' (default): n = k²·c, keeps the forward signal (Eqn 10–12). 'fanOut': n̂ = k²·d, keeps the backward signal (Eqn 14–16). */
  mode?: FanMode;
  /** Negative slope `a` of the rectifier that follows: 0 for ReLU, the initial slope (0.25) for PReLU. */
  slope?: number;
}

export function checkMode(mode: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(mode as string)) {
    throw new InitializerArgumentError(
      `Argument \`mode\` must be one of ${allowed.map((m) => `'${m}'`).join(', ')}. ` +
        `Received: mode=${received(mode)}`,
    );
  }
}

export function checkSlope(slope: unknown): void {
  if (typeof slope !== 'number' || !Number.isFinite(slope)) {
    throw new InitializerArgumentError(
      `Argument \`slope\` must be a finite number (0 for ReLU, 0.25 for PReLU at init). Received: slope=${received(slope)}`,
    );
  }
}

/**
 * The MSRA standard deviation (He et al. 2015, Eqn 15/16 with the rectifier's slope):
 *
 *   std = sqrt(2 / ((1 + a²) · n)),   n = k²·c (fanIn)  or  n̂ = k²·d (fanOut)
 *
 * `kernelShape` is in tfjs layout: `[kh, kw, cin, cout]` for conv, `[in, out]` for dense.
 * E.g. 3×3 filters with d = 64 outputs, fanOut: sqrt(2 / 576) ≈ 0.059 (Sec. 2.2).
 */
export function msraStd(kernelShape: readonly number[], options: MsraStdOptions = {}): number {
  checkOptionKeys(options, ['mode', 'slope'], 'msraStd');
  const { mode = 'fanIn', slope = 0 } = options;
  checkMode(mode, ['fanIn', 'fanOut']);
  checkSlope(slope);
  const { fanIn, fanOut } = computeFans(kernelShape);
  const n = mode === 'fanIn' ? fanIn : fanOut;
  return Math.sqrt(2 / ((1 + slope * slope) * n));
}
