// Compiled inside the fresh project made by packed-install.mjs with the oldest TypeScript the
// packages support (5.0; README "Install"): every public type must resolve there. tfjs's own
// .d.ts do not compile without skipLibCheck under any TypeScript, so only errors in Rectifier's
// files count (packed-install.mjs filters them).
import type * as activations from '@rectifier/activations';
import type * as architectures from '@rectifier/architectures';
import type * as augmentation from '@rectifier/augmentation';
import type * as backend from '@rectifier/backend';
import type * as core from '@rectifier/core';
import type * as coreProgress from '@rectifier/core/progress';
import type * as data from '@rectifier/data';
import type * as initializers from '@rectifier/initializers';

export type Everything = [
  typeof activations,
  typeof architectures,
  typeof augmentation,
  typeof backend,
  typeof core,
  typeof coreProgress,
  typeof data,
  typeof initializers,
];
export const example: ReturnType<typeof data.idxExample>['data'] = new Float32Array(1);
