import type { RunConfig } from './config';

/**
 * Config keys that say how a run was executed, not what it computes: runs that differ only in
 * these (and the seed) are seeds of one experiment. Every other key, and the data set's name,
 * must be equal for runs to pool.
 */
export const executionKeys = [
  'seed',
  'backend',
  'threads',
  'devices',
  'parallel',
  'engine',
  'checkpointEvery',
  'keep',
] as const;

/** What grouping needs of a run: its directory, resolved config and data set name. */
export interface GroupableRun {
  dir: string;
  config: RunConfig;
  dataName: string;
}

/** Runs that are seeds of one config: pooled as mean ± std. */
export interface RunGroup<R extends GroupableRun> {
  variant: string;
  /** The variant, plus the keys that set this group apart from the variant's other groups. */
  label: string;
  /** The config every run of the group shares (the first run's; the seed is that run's). */
  config: RunConfig;
  dataName: string;
  /** One run per seed, in seed order. */
  runs: R[];
}

const pooledPart = (r: GroupableRun): Record<string, unknown> => {
  const c: Record<string, unknown> = { ...r.config, dataName: r.dataName };
  for (const k of executionKeys) delete c[k];
  return c;
};

/** A stable identity of an object: keys sorted at every level. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Groups runs by their resolved config minus the seed (and the {@link executionKeys}) and the
 * data set: runs on different data or with any other setting apart never pool. A seed that
 * appears twice in a group is counted once (the first run given) with a warning.
 */
export function groupRuns<R extends GroupableRun>(
  runs: R[],
): { groups: RunGroup<R>[]; warnings: string[] } {
  const byKey = new Map<string, R[]>();
  for (const r of runs) {
    const k = canonical(pooledPart(r));
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const warnings: string[] = [];
  const groups: RunGroup<R>[] = [...byKey.values()].map((members) => {
    const bySeed = new Map<number, R>();
    for (const r of members) {
      const first = bySeed.get(r.config.seed);
      if (first === undefined) bySeed.set(r.config.seed, r);
      else
        warnings.push(
          `${r.dir} repeats ${first.dir} (same config, seed ${r.config.seed}): counted once, from ${first.dir}.`,
        );
    }
    const kept = [...bySeed.values()].sort((a, b) => a.config.seed - b.config.seed);
    return {
      variant: members[0].config.variant,
      label: members[0].config.variant,
      config: members[0].config,
      dataName: members[0].dataName,
      runs: kept,
    };
  });
  for (const variant of new Set(groups.map((g) => g.variant))) {
    const same = groups.filter((g) => g.variant === variant);
    if (same.length < 2) continue;
    const parts = same.map((g) => pooledPart(g.runs[0]));
    const keys = Object.keys(parts[0]).filter((k) =>
      parts.some((p) => canonical(p[k]) !== canonical(parts[0][k])),
    );
    same.forEach((g, i) => {
      g.label = `${variant} [${keys.map((k) => `${k} ${canonical(parts[i][k])}`).join(', ')}]`;
    });
    warnings.push(
      `runs of ${variant} differ in ${keys.join(', ')}: reported as ${same.length} separate rows, never averaged.`,
    );
  }
  return { groups, warnings };
}
