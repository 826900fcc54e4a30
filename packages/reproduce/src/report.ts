import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TrainSummary } from '@rectifier/trainer';
import { convergenceSpec, type LossPoint, lossSpec, perLayerSpec, renderSvg } from './charts';
import { type ClaimRun, claimContext, type ResultPicker } from './claimContext';
import { claims } from './claims';
import type { ProtocolFlag } from './config';
import type { EvalResult } from './evaluate';
import { experiments } from './presets';
import type { Experiment, PaperRow } from './presets/experiment';
import { type ReportPage, reportHtml } from './reportHtml';
import { reportMarkdown } from './reportMarkdown';
import { readRun } from './run';
import { readRunJson } from './runFiles';
import { groupRuns, type RunGroup } from './runGroups';
import { resultsForReport } from './storedResults';
import { decideClaim, type Verdict, verdictRule } from './verdicts';

/** One run directory as a report reads it. */
export interface RunRecord extends ClaimRun {
  summary: TrainSummary | null;
  evals: EvalResult[];
  epochs: { epoch: number; trainTop1Error: number | null; valTop1Error: number | null }[];
  /** Training loss and mini-batch top-1 error of every step, in step order. */
  losses: number[];
  stepErrors: number[];
  versions: Record<string, string>;
}

/** A run's stored test results: one per key (`eval/<key>.json`). */
const results: ResultPicker<RunRecord> = {
  of: (r, key) => r.evals.find((e) => e.key === key),
  keys: (r) => [...new Set(r.evals.map((e) => e.key))],
};

function loadRecord(dir: string, protocols?: readonly ProtocolFlag[]): RunRecord {
  const run = readRun(dir);
  const { metrics, slopes, config } = run.directory;
  // Only results of the report's (else the run's own) protocols, at the run's scales, validation
  // set and final checkpoint.
  const { results: evals, notes } = resultsForReport(dir, run, protocols);
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  const responsesPath = join(dir, 'responses.json');
  return {
    dir,
    config: run.config,
    dataName: run.dataName,
    classes: run.classes.length,
    summary: run.summary,
    evals,
    epochs: metrics
      .filter((l) => l.type === 'epoch')
      .map((l) => ({
        epoch: l.epoch + 1,
        trainTop1Error: l.trainTop1Error,
        valTop1Error: l.valTop1Error,
      })),
    losses: metrics.filter((l) => l.type === 'step').map((l) => l.loss),
    stepErrors: metrics.filter((l) => l.type === 'step').map((l) => l.top1Error),
    slopes: slopes.at(-1)?.layers.map((l) => ({ layer: l.layer, mean: l.mean })) ?? [],
    responses: existsSync(responsesPath)
      ? readRunJson<RunRecord['responses']>(
          dir,
          responsesPath,
          'remove it and run `rectifier reproduce` again to measure the responses',
        )
      : null,
    versions: config.versions ?? {},
  };
}

/** Mean and sample standard deviation (0 for one value: shown as "—", there is no spread). */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

type Pooled = { mean: number; std: number; n: number };

/** `mean ± std`; one seed has no spread: `mean ± —` (never "± 0.00"). */
const spread = (v: Pooled | null, scale: number, digits: number) =>
  v === null
    ? '—'
    : `${(scale * v.mean).toFixed(digits)} ± ${v.n > 1 ? (scale * v.std).toFixed(digits) : '—'}`;
const pct = (v: Pooled | null) => spread(v, 100, 2);
const paperPct = (v: number | null) => (v === null ? '—' : v.toFixed(2));

/** One comparison row: the paper's figure beside ours (mean ± std over seeds). */
export interface ComparisonRow {
  label: string;
  variant: string;
  /** The stored result's key (`ten-view`, `dense(0)`, …). */
  key: string;
  /** The key as a reader wants it: dense rows name their test scale (`dense, s = 128`). */
  protocol: string;
  paperTop1: number | null;
  paperTop5: number | null;
  top1: Pooled | null;
  top5: Pooled | null;
  /** Seeds (results) pooled in this row. */
  seeds: number;
  /** Test images each result was scored on (one count per row: others get their own row). */
  images: number | null;
}

/** A result key as a reader wants it: `dense(1)` → `dense, s = 192` (the run's test scales). */
function protocolName(key: string, scales: number[]): string {
  const dense = /^dense\((\d+)\)$/.exec(key);
  const scale = dense ? scales[Number(dense[1])] : undefined;
  if (scale !== undefined) return `dense, s = ${scale}`;
  if (key === 'multi-scale' && scales.length > 0) return `multi-scale (s = ${scales.join(', ')})`;
  return key;
}

/** Rows of one variant's group (or the ensemble) for one key: one per test-image count. */
function pooledRows(
  row: PaperRow,
  label: string,
  found: EvalResult[],
  scales: number[],
): ComparisonRow[] {
  const base = {
    variant: row.variant,
    key: row.protocol,
    protocol: protocolName(row.protocol, scales),
    paperTop1: row.top1,
    paperTop5: row.top5,
  };
  if (found.length === 0)
    return [{ ...base, label, top1: null, top5: null, seeds: 0, images: null }];
  const byImages = new Map<number, EvalResult[]>();
  for (const e of found) byImages.set(e.images, [...(byImages.get(e.images) ?? []), e]);
  return [...byImages].map(([images, es]) => ({
    ...base,
    label: byImages.size > 1 ? `${label} (${images} test images)` : label,
    top1: meanStd(es.map((e) => e.top1Error)),
    top5: meanStd(es.map((e) => e.top5Error)),
    seeds: es.length,
    images,
  }));
}

/**
 * Rows of the experiment's paper table with our numbers; for other runs, one row per result.
 * Each group of runs (same config but the seed) gets its own rows: runs that differ beyond the
 * seed, or results on different numbers of test images, are never averaged together.
 */
export function comparisonRows(
  groups: RunGroup<RunRecord>[],
  experiment: Experiment | undefined,
  ensemble: EvalResult[] = [],
): ComparisonRow[] {
  const rows: PaperRow[] = experiment?.paper.rows.length
    ? experiment.paper.rows
    : [...new Set(groups.map((g) => g.variant))].flatMap((variant) =>
        [
          ...new Set(
            groups
              .filter((g) => g.variant === variant)
              .flatMap((g) => g.runs.flatMap(results.keys)),
          ),
        ].map((key) => ({ label: variant, variant, protocol: key, top1: null, top5: null })),
      );
  return rows.flatMap((row) => {
    if (row.variant === 'ensemble') {
      const scales = groups[0]?.config.scales ?? [];
      return pooledRows(
        row,
        row.label,
        ensemble.filter((e) => e.key === row.protocol),
        scales,
      );
    }
    const gs = groups.filter((g) => g.variant === row.variant);
    if (gs.length === 0) return pooledRows(row, row.label, [], []);
    return gs.flatMap((g) =>
      pooledRows(
        row,
        `${row.label}${g.label.slice(g.variant.length)}`,
        g.runs.flatMap((r) => results.of(r, row.protocol) ?? []),
        g.config.scales,
      ),
    );
  });
}

const comparisonHead = [
  '',
  'protocol',
  'paper top-1',
  'ours top-1',
  'paper top-5',
  'ours top-5',
  'seeds',
  'test images',
];

/** One comparison row as text, in the order of the table's head. */
const comparisonCells = (r: ComparisonRow) => [
  r.label,
  r.protocol,
  paperPct(r.paperTop1),
  pct(r.top1),
  paperPct(r.paperTop5),
  pct(r.top5),
  String(r.seeds),
  r.images === null ? '—' : String(r.images),
];

/** Rows as a fixed-width text table. */
function textTable(table: string[][]): string {
  const widths = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
  return table
    .map((row) =>
      row
        .map((c, j) => c.padEnd(widths[j]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The comparison as a fixed-width text table (what `reproduce` prints). */
export function formatComparison(rows: ComparisonRow[]): string {
  return textTable([comparisonHead, ...rows.map(comparisonCells)]);
}

/** A claim of the paper and its verdict on the report's runs. */
export interface ClaimVerdict {
  claim: string;
  source: string;
  verdict: Verdict;
  /** Each comparison's verdict and numbers, or why it could not be tested. */
  details: string[];
}

/**
 * After a blank line and a heading, one line per claim: verdict, claim, where in the paper (what
 * `reproduce` ends with). Nothing when there are no claims.
 */
export function formatVerdicts(verdicts: ClaimVerdict[]): string {
  if (verdicts.length === 0) return '';
  const lines = textTable(verdicts.map((v) => [v.verdict, v.claim, `(${v.source})`]));
  return `\nThe paper's claims (the rule and each test's numbers are in the report):\n${lines}\n`;
}

function perLayer(
  groups: RunGroup<RunRecord>[],
  pick: (r: RunRecord) => ClaimRun['slopes'] | null,
) {
  const rows: {
    run: string;
    layer: string;
    order: number;
    mean: number;
    std: number;
    n: number;
  }[] = [];
  for (const g of groups) {
    const lists = g.runs
      .map(pick)
      .filter((l): l is ClaimRun['slopes'] => l !== null && l.length > 0);
    if (lists.length === 0) continue;
    lists[0].forEach((l, i) => {
      const s = meanStd(lists.map((list) => list[i]?.mean ?? Number.NaN).filter(Number.isFinite));
      rows.push({ run: g.label, layer: l.layer, order: i, ...s });
    });
  }
  return rows;
}

/** Per-layer values as a table: one row per layer, one `mean ± std` column per group. */
function perLayerTable(rows: ReturnType<typeof perLayer>, digits = 3) {
  const runs = [...new Set(rows.map((r) => r.run))];
  const layers = [...new Set(rows.map((r) => r.layer))];
  const at = (v: string, l: string) => rows.find((r) => r.run === v && r.layer === l);
  return {
    head: [
      'layer',
      ...runs.map((v) => {
        const n = Math.max(...rows.filter((r) => r.run === v).map((r) => r.n));
        return `${v} (${n} seed${n === 1 ? '' : 's'})`;
      }),
    ],
    body: layers.map((l) => [
      l,
      ...runs.map((v) => {
        const r = at(v, l);
        return r === undefined ? '—' : spread(r, 1, digits);
      }),
    ]),
  };
}

/**
 * Per-step values (training loss, mini-batch error) averaged in ~60 windows per run, then over
 * seeds (with the lowest and highest seed as the band): single steps of a 32-image batch are too
 * noisy to read.
 */
export function lossCurves(
  records: { variant: string; losses: number[] }[],
  points = 60,
): LossPoint[] {
  const out: LossPoint[] = [];
  const byVariant = new Map<string, number[][]>();
  for (const r of records)
    byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r.losses]);
  for (const [run, lists] of byVariant) {
    const steps = Math.min(...lists.map((l) => l.length));
    if (steps === 0) continue;
    const w = Math.max(1, Math.ceil(steps / points));
    for (let start = 0; start < steps; start += w) {
      const end = Math.min(steps, start + w);
      const means = lists.map(
        (l) => l.slice(start, end).reduce((a, b) => a + b, 0) / (end - start),
      );
      out.push({
        run,
        step: end,
        loss: means.reduce((a, b) => a + b, 0) / means.length,
        lo: Math.min(...means),
        hi: Math.max(...means),
      });
    }
  }
  return out;
}

function curves(groups: RunGroup<RunRecord>[]) {
  const points: { run: string; epoch: number; series: string; error: number }[] = [];
  for (const g of groups) {
    const maxEpoch = Math.max(0, ...g.runs.map((r) => r.epochs.length));
    for (let e = 0; e < maxEpoch; e++) {
      for (const series of ['train', 'val'] as const) {
        const vals = g.runs
          .map((r) =>
            series === 'train' ? r.epochs[e]?.trainTop1Error : r.epochs[e]?.valTop1Error,
          )
          .filter((v): v is number => typeof v === 'number');
        if (vals.length > 0)
          points.push({ run: g.label, epoch: e + 1, series, error: meanStd(vals).mean });
      }
    }
  }
  return points;
}

/** The charts of a report: per epoch when every run has ≥ 2 epochs, else per step. */
async function reportCharts(groups: RunGroup<RunRecord>[]) {
  const charts: { title: string; svg: string }[] = [];
  const perStep = (pick: (r: RunRecord) => number[]) =>
    lossCurves(groups.flatMap((g) => g.runs.map((r) => ({ variant: g.label, losses: pick(r) }))));
  const shortest = Math.min(...groups.flatMap((g) => g.runs.map((r) => r.epochs.length)));
  const points = curves(groups);
  if (shortest >= 2 && points.length > 0) {
    charts.push({
      title: 'Convergence (top-1 error per epoch; train = mini-batches, val = centre crops)',
      svg: await renderSvg(convergenceSpec(points, 'Convergence')),
    });
  } else {
    // A run of one epoch or less would be a single point: chart its steps instead.
    const errors = perStep((r) => r.stepErrors);
    if (errors.length > 0)
      charts.push({
        title:
          'Convergence per step (mini-batch top-1 error, mean over seeds in windows of steps; band: lowest–highest seed): runs of one epoch or less',
        svg: await renderSvg(
          lossSpec(errors, 'Mini-batch top-1 error', { yTitle: 'top-1 error', log: false }),
        ),
      });
  }
  const losses = perStep((r) => r.losses);
  if (losses.length > 0) {
    charts.push({
      title:
        'Training loss per step (mean over seeds in windows of steps; band: lowest–highest seed)',
      svg: await renderSvg(
        // Log: a first-steps spike (a deep MSRA net starts at loss ~10) would flatten the rest.
        lossSpec(losses, 'Training loss', { yTitle: 'training loss (log)', log: true }),
      ),
    });
  }
  const slopes = perLayer(groups, (r) => r.slopes);
  if (slopes.length > 0) {
    charts.push({
      title: 'Learned PReLU slopes per layer (mean over channels; ± std over seeds)',
      svg: await renderSvg(perLayerSpec(slopes, 'Learned slopes', 'slope')),
    });
  }
  const responses = perLayer(groups, (r) => r.responses);
  if (responses.length > 0) {
    charts.push({
      title: 'Mean response of each activation layer (Figure 2)',
      svg: await renderSvg(perLayerSpec(responses, 'Mean responses', 'mean response')),
    });
  }
  // Table 1 and Figure 2 as numbers too, not only as charts.
  const layerTables = [
    {
      title: 'Learned PReLU slopes per layer (Table 1): mean over channels, ± std over seeds',
      rows: slopes,
    },
    { title: 'Mean response per activation layer (Figure 2), ± std over seeds', rows: responses },
  ]
    .filter((t) => t.rows.length > 0)
    .map((t) => ({ title: t.title, ...perLayerTable(t.rows) }));
  return { charts, layerTables };
}

export interface ReportOutput {
  markdown: string;
  html: string;
  mdPath: string;
  htmlPath: string;
  rows: ComparisonRow[];
  /** The experiment's claims and their verdicts (none for runs of no one experiment). */
  verdicts: ClaimVerdict[];
  /** Runs counted once (a repeated seed) or reported apart (configs that differ). */
  warnings: string[];
  charts: string[];
}

/** The claims of `experiment` decided on the groups' per-seed values. */
export function claimVerdicts(
  experiment: string | undefined,
  groups: RunGroup<RunRecord>[],
  ensemble: EvalResult[],
): ClaimVerdict[] {
  const ctx = claimContext(groups, ensemble, results);
  return (experiment === undefined ? [] : (claims[experiment] ?? [])).map((c) => {
    const d = decideClaim(c.comparisons(ctx));
    return {
      claim: c.text,
      source: c.source,
      verdict: d.verdict,
      details: d.outcomes.map((o) => `${o.verdict}: ${o.detail}`),
    };
  });
}

/** File names for charts from their titles: `convergence-per-step.svg`, unique within a report. */
export function chartFileNames(titles: string[]): string[] {
  const seen = new Map<string, number>();
  return titles.map((title) => {
    const base =
      title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 48)
        .replace(/-+$/, '') || 'chart';
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return `${base}${n === 1 ? '' : `-${n}`}.svg`;
  });
}

/**
 * Writes `report.md` (with every chart beside it as an SVG file) and a self-contained `report.html` (inline SVG charts, inline CSS, no
 * script) for a set of run directories. Everything from data or configs is escaped: preact
 * escapes text and attributes; Markdown cells are backslash-escaped; chart text is escaped by
 * Vega's SVG renderer. The report is `experiment`'s (its claims, paper table and protocols)
 * when given, as for runs another experiment trained (Table 1 on Table 2's nets); else the one
 * experiment the runs' configs name, if they name one.
 */
export async function writeReport(
  runDirs: string[],
  out: string,
  ensemble: EvalResult[] = [],
  given?: Experiment,
): Promise<ReportOutput> {
  const records = runDirs.map((d) => loadRecord(resolve(d), given?.protocols));
  const { groups, warnings } = groupRuns(records);
  const names = given ? [given.name] : [...new Set(records.map((r) => r.config.experiment))];
  const experiment = given ?? (names.length === 1 ? experiments[names[0]] : undefined);
  const title = experiment
    ? `${experiment.source}: ${experiment.title}`
    : `Runs: ${names.join(', ')}`;
  const rows = comparisonRows(groups, experiment, ensemble);
  const verdicts = claimVerdicts(experiment?.name, groups, ensemble);
  const kept = groups.flatMap((g) => g.runs);
  const scales = [...new Set(kept.map((r) => r.config.scale))].join(', ');
  const datas = [...new Set(kept.map((r) => r.dataName))].join('; ');
  const epochs = [...new Set(kept.map((r) => r.summary?.epochs ?? r.config.epochs))].join(', ');
  const seeds = [...new Set(kept.map((r) => r.config.seed))].sort((a, b) => a - b);
  const label = `scale ${scales} · data ${datas} · epochs ${epochs} · seeds ${seeds.join(', ')}`;
  const { charts, layerTables } = await reportCharts(groups);

  const perClass = kept.flatMap((r) =>
    r.evals.slice(0, 1).map((e) => ({ run: r.config.variant, seed: r.config.seed, e })),
  );
  const page: ReportPage = {
    title,
    label,
    caption: experiment
      ? `Paper: ${experiment.paper.caption}. Ours: top-1/top-5 error (%) on the validation split, mean ± std over seeds ("± —": one seed, no spread); each row pools only runs whose configs differ in nothing but the seed.`
      : null,
    warnings,
    comparisonHead,
    comparison: rows.map(comparisonCells),
    claims:
      verdicts.length === 0
        ? null
        : {
            rule: verdictRule,
            rows: verdicts.map((v) => [v.claim, v.source, v.verdict, v.details.join(' · ')]),
          },
    charts,
    layerTables,
    perClass: perClass.map(({ run, seed, e }) => ({
      title: `${run} (seed ${seed}), ${e.label}`,
      rows: e.perClass.map((p) => [
        p.name,
        p.top1Error === null ? '—' : (100 * p.top1Error).toFixed(1),
        p.top5Error === null ? '—' : (100 * p.top5Error).toFixed(1),
      ]),
    })),
    runs: records.map((r) => [
      r.dir,
      r.config.variant,
      String(r.config.seed),
      `${r.config.model} ×${r.config.widthMultiplier}, ${r.config.activation}, ${r.config.init}`,
      String(r.summary?.steps ?? 'unfinished'),
      r.summary?.backend ?? '—',
      r.summary ? `${(r.summary.wallTimeMs / 1000).toFixed(1)} s` : '—',
      Object.entries(r.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ]),
  };
  const chartFiles = chartFileNames(charts.map((c) => c.title));
  const markdown = reportMarkdown(page, chartFiles);
  const html = reportHtml(page);
  mkdirSync(out, { recursive: true });
  const mdPath = join(out, 'report.md');
  const htmlPath = join(out, 'report.html');
  writeFileSync(mdPath, markdown);
  writeFileSync(htmlPath, html);
  // Each chart also as its own SVG beside report.md, which shows them: a Markdown viewer
  // (GitHub, an editor) draws no inline SVG, and docs can link the files.
  for (const [i, c] of charts.entries()) writeFileSync(join(out, chartFiles[i]), c.svg);
  return {
    markdown,
    html,
    mdPath,
    htmlPath,
    rows,
    verdicts,
    warnings,
    charts: charts.map((c) => c.title),
  };
}
