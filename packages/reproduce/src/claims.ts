import type { Comparison, Side } from './verdicts';

/** One layer's value in a run: a PReLU layer's mean slope, or an activation's mean response. */
export interface LayerValue {
  layer: string;
  mean: number;
}

/** What a claim reads from the runs of a report (each side one value per seed, or why not). */
export interface ClaimContext {
  /** Per-seed test error of a variant's stored result `key` (`ten-view`, `dense(0)`, …). */
  error(variant: string, key: string, metric: 'top1' | 'top5'): Side;
  /** Per-seed training (mini-batch) or validation top-1 error at the first or last epoch. */
  epochError(variant: string, series: 'train' | 'val', at: 'first' | 'last'): Side;
  /** Per-seed numbers from each run's per-layer values (`pick` null: not computable). */
  perLayer(
    variant: string,
    which: 'slopes' | 'responses',
    what: string,
    pick: (layers: LayerValue[]) => number | null,
  ): Side;
  /** The top-1 error of guessing (1 − 1/classes) for a variant's data. */
  chance(variant: string): Side;
  /** Per-seed error of the ensemble of a report's variants. */
  ensemble(key: string, metric: 'top1' | 'top5'): Side;
  /** The dense result keys of a variant, smallest test scale first, and their scales. */
  denseKeys(variant: string): { key: string; scale: number }[];
  /** The result keys every run of a variant has. */
  keys(variant: string): string[];
  /** The variants whose runs the report holds. */
  variants: string[];
}

/** A claim of the paper and the comparisons that test it on our runs. */
export interface Claim {
  /** The claim, in the paper's words where it has some. */
  text: string;
  /** Where the paper makes it. */
  source: string;
  comparisons(ctx: ClaimContext): Comparison[];
}

const below = (a: Side, b: Side, percent = true): Comparison => ({
  relation: 'below',
  a,
  b,
  percent,
});
const about = (a: Side, b: Side): Comparison => ({ relation: 'about', a, b, percent: true });
const atMost = (a: Side, b: Side): Comparison => ({ relation: 'atMost', a, b, percent: true });

const isConv = (l: LayerValue) => l.layer.startsWith('conv');
const isConv1 = (l: LayerValue) => /^conv1(_act)?$/.test(l.layer);
const mean = (ls: LayerValue[]) =>
  ls.length === 0 ? null : ls.reduce((s, l) => s + l.mean, 0) / ls.length;
/** The conv layers after conv1, in depth order. */
const deeperConvs = (ls: LayerValue[]) => ls.filter((l) => isConv(l) && !isConv1(l));
const halves = (ls: LayerValue[]) => {
  const d = deeperConvs(ls);
  const h = Math.floor(d.length / 2);
  return h === 0 ? null : { early: d.slice(0, h), late: d.slice(d.length - h) };
};

const top1 = (ctx: ClaimContext, variant: string, key: string) => ctx.error(variant, key, 'top1');

/** 10-view when every one of `variants` has it (Figure 3's 38.56 is a Table 2-style 10-view number), else centre. */
const viewsOf = (ctx: ClaimContext, variants: string[]) =>
  variants.every((v) => ctx.keys(v).includes('ten-view')) ? 'ten-view' : 'center';

/** PReLU below ReLU, and "≈"/"C below B" for the single models of Tables 5 and 6 at `key`. */
const singleModelClaims = (key: string, source: string): Claim[] => [
  {
    text: 'PReLU below ReLU on model A (top-1)',
    source,
    comparisons: (ctx) => [below(top1(ctx, 'A-prelu', key), top1(ctx, 'A-relu', key))],
  },
  {
    text: 'B (22 layers) ≈ A (19 layers), PReLU: "perform comparably" (top-1)',
    source: 'Sec. 4, single-model results',
    comparisons: (ctx) => [about(top1(ctx, 'B-prelu', key), top1(ctx, 'A-prelu', key))],
  },
  {
    text: 'C (wider) below B, PReLU: "the width becomes an essential factor" (top-1)',
    source: 'Sec. 4, single-model results',
    comparisons: (ctx) => [below(top1(ctx, 'C-prelu', key), top1(ctx, 'B-prelu', key))],
  },
];

const slopeClaims: Claim[] = [
  {
    text: "conv1's slope above the deeper conv layers' (0.681 and 0.596 vs smaller deeper)",
    source: 'Table 1, Sec. 2.1',
    comparisons: (ctx) =>
      ['prelu-shared', 'prelu']
        .filter((v) => ctx.variants.includes(v))
        .map((v) =>
          below(
            ctx.perLayer(v, 'slopes', 'mean slope of the conv layers after conv1', (ls) =>
              mean(deeperConvs(ls)),
            ),
            ctx.perLayer(v, 'slopes', 'conv1 slope', (ls) => mean(ls.filter(isConv1))),
            false,
          ),
        ),
  },
  {
    text: 'channel-wise: slopes smaller at depth (the deeper half of the conv layers after conv1 below the earlier half)',
    source: 'Table 1, Sec. 2.1',
    comparisons: (ctx) => [
      below(
        ctx.perLayer('prelu', 'slopes', 'mean slope, deeper half', (ls) => {
          const h = halves(ls);
          return h === null ? null : mean(h.late);
        }),
        ctx.perLayer('prelu', 'slopes', 'mean slope, earlier half', (ls) => {
          const h = halves(ls);
          return h === null ? null : mean(h.early);
        }),
        false,
      ),
    ],
  },
];

/** Table 4's claims: per variant over its dense scales, and PReLU vs ReLU at each. */
const table4Claims: Claim[] = [
  {
    text: 'larger test scales lower the error: each larger dense scale below the smallest (paper: 384 and 480 below 256; top-1)',
    source: 'Table 4',
    comparisons: (ctx) =>
      ['A-relu', 'A-prelu'].flatMap((v) => {
        const [base, ...larger] = ctx.denseKeys(v);
        return base === undefined
          ? []
          : larger.map((k) => below(top1(ctx, v, k.key), top1(ctx, v, base.key)));
      }),
  },
  {
    text: 'multi-scale below every single scale (top-1)',
    source: 'Table 4',
    comparisons: (ctx) =>
      ['A-relu', 'A-prelu'].flatMap((v) =>
        ctx.denseKeys(v).map((k) => below(top1(ctx, v, 'multi-scale'), top1(ctx, v, k.key))),
      ),
  },
  {
    text: 'PReLU below ReLU at every scale and multi-scale (top-1)',
    source: 'Table 4, Sec. 4',
    comparisons: (ctx) =>
      [...ctx.denseKeys('A-prelu').map((k) => k.key), 'multi-scale'].map((k) =>
        below(top1(ctx, 'A-prelu', k), top1(ctx, 'A-relu', k)),
      ),
  },
];

/**
 * The claims each experiment tests, by experiment name. Errors are top-1 unless a claim says
 * otherwise (Table 7 reports top-5 only).
 */
export const claims: Record<string, Claim[]> = {
  table1: slopeClaims,
  table2: [
    {
      text: 'PReLU (channel-wise) below ReLU (top-1, 10-view)',
      source: 'Table 2',
      comparisons: (ctx) => [below(top1(ctx, 'prelu', 'ten-view'), top1(ctx, 'relu', 'ten-view'))],
    },
    {
      text: 'LReLU (a = 0.25) ≈ ReLU (top-1, 10-view)',
      source: 'Table 2',
      comparisons: (ctx) => [about(top1(ctx, 'lrelu', 'ten-view'), top1(ctx, 'relu', 'ten-view'))],
    },
    {
      text: 'channel-wise ≤ channel-shared PReLU (top-1, 10-view)',
      source: 'Table 2',
      comparisons: (ctx) => [
        atMost(top1(ctx, 'prelu', 'ten-view'), top1(ctx, 'prelu-shared', 'ten-view')),
      ],
    },
  ],
  figure2: [
    {
      text: 'PReLU has smaller mean responses than ReLU (mean over the activation layers)',
      source: 'Figure 2, Sec. 2.1',
      comparisons: (ctx) => [
        below(
          ctx.perLayer('prelu', 'responses', 'mean response', mean),
          ctx.perLayer('relu', 'responses', 'mean response', mean),
          false,
        ),
      ],
    },
  ],
  figure3: [
    {
      text: '30 layers: "Xavier completely stalls" (its error ≈ chance), MSRA learns (below chance and below Xavier)',
      source: 'Figure 3 (right), Sec. 2.2',
      comparisons: (ctx) => {
        const k = viewsOf(ctx, ['30-msra', '30-xavier']);
        return [
          about(top1(ctx, '30-xavier', k), ctx.chance('30-xavier')),
          below(top1(ctx, '30-msra', k), ctx.chance('30-msra')),
          below(top1(ctx, '30-msra', k), top1(ctx, '30-xavier', k)),
        ];
      },
    },
    {
      text: '22 layers (model B): both initializations converge (error below chance)',
      source: 'Figure 3 (left), Sec. 2.2',
      comparisons: (ctx) => {
        const k = viewsOf(ctx, ['B-msra', 'B-xavier']);
        return ['B-msra', 'B-xavier'].map((v) => below(top1(ctx, v, k), ctx.chance(v)));
      },
    },
    {
      text: '22 layers: MSRA "starts reducing error earlier" (first-epoch validation error below Xavier\'s)',
      source: 'Figure 3 (left), Sec. 2.2',
      comparisons: (ctx) => [
        below(ctx.epochError('B-msra', 'val', 'first'), ctx.epochError('B-xavier', 'val', 'first')),
      ],
    },
  ],
  table4: table4Claims,
  table5: singleModelClaims('ten-view', 'Table 5'),
  table6: singleModelClaims('multi-scale', 'Table 6'),
  table7: [
    {
      text: 'the ensemble below its best member (top-5, multi-scale)',
      source: 'Table 7',
      comparisons: (ctx) => {
        const members = ctx.variants.map((v) => ctx.error(v, 'multi-scale', 'top5'));
        const meanOf = (s: Side) =>
          'unavailable' in s || !Array.isArray(s.values)
            ? Number.POSITIVE_INFINITY
            : s.values.reduce((a, b) => a + b, 0) / s.values.length;
        const best = members.reduce(
          (b, s) => (meanOf(s) < meanOf(b) ? s : b),
          members[0] ?? { unavailable: 'no member results' },
        );
        return [below(ctx.ensemble('multi-scale', 'top5'), best)];
      },
    },
  ],
  figure4: [
    {
      text: "PReLU has lower train error than ReLU (top-1 of the last epoch's mini-batches)",
      source: 'Figure 4, Sec. 4',
      comparisons: (ctx) => [
        below(
          ctx.epochError('A-prelu', 'train', 'last'),
          ctx.epochError('A-relu', 'train', 'last'),
        ),
      ],
    },
    {
      text: 'PReLU has lower val error than ReLU (top-1, centre crops, end of training)',
      source: 'Figure 4, Sec. 4',
      comparisons: (ctx) => [below(top1(ctx, 'A-prelu', 'center'), top1(ctx, 'A-relu', 'center'))],
    },
  ],
};
