import type { ClaimContext, LayerValue } from './claims';
import type { EvalResult } from './evaluate';
import type { GroupableRun, RunGroup } from './runGroups';
import type { Side } from './verdicts';

/** What the claims read of a run, beside its config. */
export interface ClaimRun extends GroupableRun {
  /** How many classes its data set has (chance error 1 − 1/classes). */
  classes: number;
  epochs: { trainTop1Error: number | null; valTop1Error: number | null }[];
  slopes: LayerValue[];
  responses: LayerValue[] | null;
}

/** How a report picks a run's stored test results. */
export interface ResultPicker<R> {
  /** The run's result for a key (`ten-view`, `dense(0)`, …), if it has one. */
  of(run: R, key: string): EvalResult | undefined;
  /** The keys the run has results for. */
  keys(run: R): string[];
}

const dataOf = (g: RunGroup<GroupableRun>) =>
  `${g.dataName || g.config.data} (train ${g.config.trainLimit ?? 'all'}, val ${g.config.valLimit ?? 'all'})`;

const unavailable = (why: string): Side => ({ unavailable: why });

/** The images every result was scored on, or null when they differ (never pooled). */
function sharedImages(results: EvalResult[]): number | null {
  const counts = new Set(results.map((e) => e.images));
  return counts.size === 1 ? results[0].images : null;
}

/**
 * The {@link ClaimContext} of a report's run groups: each variant must be one group (runs that
 * differ beyond the seed are not pooled for a claim either), every seed must have what a claim
 * reads, and results pooled over seeds must rest on the same test images.
 */
export function claimContext<R extends ClaimRun>(
  groups: RunGroup<R>[],
  ensemble: EvalResult[],
  results: ResultPicker<R>,
): ClaimContext {
  const groupOf = (variant: string): RunGroup<R> | string => {
    const gs = groups.filter((g) => g.variant === variant);
    if (gs.length === 0) return `no runs of ${variant} in this report`;
    if (gs.length > 1)
      return `the runs of ${variant} are ${gs.length} different configs (${gs.map((g) => g.label).join('; ')}): none is pooled`;
    return gs[0];
  };
  const pooled = (
    variant: string,
    name: string,
    read: (r: R) => number | null | undefined,
    missing: string,
  ): Side => {
    const g = groupOf(variant);
    if (typeof g === 'string') return unavailable(g);
    const values = g.runs.map(read);
    const absent = values.filter((v) => v === null || v === undefined).length;
    if (absent > 0)
      return unavailable(`${variant}: ${absent} of ${g.runs.length} seed(s) have no ${missing}`);
    return { name: `${variant} ${name}`, values: values as number[], data: dataOf(g) };
  };
  const metricOf = (e: EvalResult, metric: 'top1' | 'top5') =>
    metric === 'top1' ? e.top1Error : e.top5Error;
  const variants = [...new Set(groups.map((g) => g.variant))];
  const keys = (variant: string) => {
    const g = groupOf(variant);
    if (typeof g === 'string') return [];
    return results.keys(g.runs[0]).filter((k) => g.runs.every((r) => results.keys(r).includes(k)));
  };
  return {
    variants,
    keys,
    error(variant, key, metric) {
      const g = groupOf(variant);
      if (typeof g === 'string') return unavailable(g);
      const found = g.runs.map((r) => results.of(r, key));
      const dense = /^dense\((\d+)\)$/.exec(key);
      const shown = dense ? `dense s = ${g.config.scales[Number(dense[1])]}` : key;
      const side = pooled(
        variant,
        `${shown} ${metric}`,
        (r) => {
          const e = results.of(r, key);
          return e === undefined ? null : metricOf(e, metric);
        },
        `${key} result (test it with \`rectifier eval DIR --protocol ${key.replace(/\(\d+\)$/, '')}\`)`,
      );
      if ('unavailable' in side) return side;
      const images = sharedImages(found as EvalResult[]);
      if (images === null)
        return unavailable(
          `${variant} ${key}: the seeds were tested on different numbers of images (${found.map((e) => e?.images).join(', ')}); re-test them alike`,
        );
      return { ...side, data: `${side.data}, ${images} test images` };
    },
    epochError(variant, series, at) {
      return pooled(
        variant,
        `${series} error, ${at} epoch`,
        (r) => {
          const e = at === 'first' ? r.epochs[0] : r.epochs.at(-1);
          return series === 'train' ? e?.trainTop1Error : e?.valTop1Error;
        },
        `${series} error per epoch (validation needs valEveryEpoch)`,
      );
    },
    perLayer(variant, which, what, pick) {
      return pooled(
        variant,
        what,
        (r) => {
          const layers = which === 'slopes' ? r.slopes : r.responses;
          return layers === null || layers.length === 0 ? null : pick(layers);
        },
        which === 'slopes' ? 'PReLU slopes' : 'mean responses (responses.json)',
      );
    },
    chance(variant) {
      const g = groupOf(variant);
      if (typeof g === 'string') return unavailable(g);
      const classes = g.runs[0].classes;
      if (classes < 2) return unavailable(`${variant}: its class list is not stored`);
      return { name: `chance (1 − 1/${classes})`, values: { constant: 1 - 1 / classes } };
    },
    ensemble(key, metric) {
      const found = ensemble.filter((e) => e.key === key);
      if (found.length === 0)
        return unavailable(`no ensemble ${key} result (\`rectifier reproduce table7\` scores it)`);
      const datas = new Set(groups.map((g) => dataOf(g)));
      if (datas.size !== 1) return unavailable('the ensemble members use different data');
      const images = sharedImages(found);
      if (images === null)
        return unavailable('the ensemble seeds were tested on different numbers of images');
      return {
        name: `ensemble ${key} ${metric}`,
        values: found.map((e) => metricOf(e, metric)),
        data: `${[...datas][0]}, ${images} test images`,
      };
    },
    denseKeys(variant) {
      const g = groupOf(variant);
      if (typeof g === 'string') return [];
      return keys(variant)
        .map((key) => ({ key, i: /^dense\((\d+)\)$/.exec(key)?.[1] }))
        .filter((k): k is { key: string; i: string } => k.i !== undefined)
        .map(({ key, i }) => ({ key, scale: g.config.scales[Number(i)] }))
        .sort((a, b) => a.scale - b.scale);
    },
  };
}
