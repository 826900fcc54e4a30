import { fingerprintHash } from '@rectifier/trainer';
import { z } from 'zod';
import { type ProtocolFlag, protocolFlagNames } from './config';

/**
 * Everything that determines a stored test result: two results with equal identities are the
 * same number (testing is deterministic), two with different ones may not be. A result is stored
 * under a file name derived from it, so an ad-hoc `rectifier eval --val-limit 3` or `--scales
 * 100` never replaces the result a report uses.
 */
export const resultIdentitySchema = z.strictObject({
  /** The flag spelling: `center`, `ten-view`, `dense` (one scale) or `multi-scale`. */
  protocol: z.enum(protocolFlagNames),
  /** `dense`: its one shorter side; `multi-scale`: the set, ascending; else null (the run's resize/crop). */
  scales: z.array(z.number().int().positive()).nullable(),
  data: z.strictObject({
    /** What `--data` (or the run's config) said: `bundled` or a folder. */
    path: z.string(),
    /** SHA-256 of the validation split as tested (`Split.contentKey`). */
    contentKey: z.string(),
  }),
  /** The validation images used: the first n, or null for all. */
  valLimit: z.number().int().positive().nullable(),
  /** One per member (several: an ensemble). */
  checkpoints: z
    .array(
      z.strictObject({
        name: z.string(),
        step: z.number().int().min(0),
        /** SHA-256 of the run's fingerprint (config.json's `run`): which run the weights belong to. */
        fingerprint: z.string(),
      }),
    )
    .min(1),
});
export type ResultIdentity = z.infer<typeof resultIdentitySchema>;

/** The identity of one result of `protocol`: dense results are per scale, multi-scale a set. */
export function identityOf(
  protocol: ProtocolFlag,
  scales: number[],
  rest: Omit<ResultIdentity, 'protocol' | 'scales'>,
): ResultIdentity {
  return {
    protocol,
    scales:
      protocol === 'dense'
        ? scales
        : protocol === 'multi-scale'
          ? [...new Set(scales)].sort((a, b) => a - b)
          : null,
    ...rest,
  };
}

/**
 * The file a result is stored in, inside `<run>/eval/`: readable at a glance
 * (`dense-224.<hash>.json`, `multi-scale-224-256-320.<hash>.json`) and unique per identity.
 */
export function resultFileName(id: ResultIdentity): string {
  const slug = [id.protocol, ...(id.scales ?? [])].join('-');
  return `${slug}.${fingerprintHash(id).slice(0, 16)}.json`;
}
