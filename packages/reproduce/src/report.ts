import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TrainSummary } from '@rectifier/trainer';
import { convergenceSpec, type LossPoint, lossSpec, perLayerSpec, renderSvg } from './charts';
import type { RunConfig } from './config';
import { type EvalResult, evalResultSchema } from './evaluate';
import { experiments } from './presets';
import type { Experiment, PaperRow } from './presets/experiment';
import { type ReportPage, reportHtml } from './reportHtml';
import { reportMarkdown } from './reportMarkdown';
import { readRun } from './run';
import { readRunJson } from './runFiles';

interface RunRecord {
  dir: string;
  config: RunConfig;
  dataName: string;
  summary: TrainSummary | null;
  evals: EvalResult[];
  epochs: { epoch: number; trainTop1Error: number | null; valTop1Error: number | null }[];
  /** Training loss of every step, in step order. */
  losses: number[];
  slopes: { layer: string; mean: number }[];
  responses: { layer: string; mean: number }[] | null;
  versions: Record<string, string>;
}

function loadRecord(dir: string): RunRecord {
  const run = readRun(dir);
  const { metrics, slopes, config } = run.directory;
  const evalDir = join(dir, 'eval');
  const evals = existsSync(evalDir)
    ? readdirSync(evalDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) =>
          readRunJson(
            dir,
            join(evalDir, f),
            `remove it and test the run again: rectifier eval ${dir}`,
            evalResultSchema,
          ),
        )
    : [];
  const responsesPath = join(dir, 'responses.json');
  return {
    dir,
    config: run.config,
    dataName: run.dataName,
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

/** Mean and sample standard deviation (0 for one value). */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

const pct = (v: { mean: number; std: number; n: number } | null) =>
  v === null
    ? '—'
    : v.n > 1
      ? `${(100 * v.mean).toFixed(2)} ± ${(100 * v.std).toFixed(2)}`
      : (100 * v.mean).toFixed(2);
const paperPct = (v: number | null) => (v === null ? '—' : v.toFixed(2));

/** One comparison row: the paper's figure beside ours (mean ± std over seeds). */
export interface ComparisonRow {
  label: string;
  variant: string;
  protocol: string;
  paperTop1: number | null;
  paperTop5: number | null;
  top1: { mean: number; std: number; n: number } | null;
  top5: { mean: number; std: number; n: number } | null;
}

function variantsOf(records: RunRecord[]): Map<string, RunRecord[]> {
  const m = new Map<string, RunRecord[]>();
  for (const r of records) {
    const k = r.config.variant;
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
}

/** Rows of the experiment's paper table with our numbers; for other runs, one row per result. */
export function comparisonRows(
  records: RunRecord[],
  experiment: Experiment | undefined,
  ensemble: EvalResult[] = [],
): ComparisonRow[] {
  const byVariant = variantsOf(records);
  const ours = (variant: string, key: string) => {
    const evals =
      variant === 'ensemble'
        ? ensemble.filter((e) => e.key === key)
        : (byVariant.get(variant) ?? []).flatMap((r) => r.evals.filter((e) => e.key === key));
    if (evals.length === 0) return { top1: null, top5: null };
    return {
      top1: meanStd(evals.map((e) => e.top1Error)),
      top5: meanStd(evals.map((e) => e.top5Error)),
    };
  };
  const rows: PaperRow[] = experiment?.paper.rows.length
    ? experiment.paper.rows
    : [...byVariant.entries()].flatMap(([variant, rs]) =>
        [...new Set(rs.flatMap((r) => r.evals.map((e) => e.key)))].map((key) => ({
          label: variant,
          variant,
          protocol: key,
          top1: null,
          top5: null,
        })),
      );
  return rows.map((row) => ({
    label: row.label,
    variant: row.variant,
    protocol: row.protocol,
    paperTop1: row.top1,
    paperTop5: row.top5,
    ...ours(row.variant, row.protocol),
  }));
}

/** One comparison row as text: label, protocol, paper and ours top-1, paper and ours top-5. */
const comparisonCells = (r: ComparisonRow) => [
  r.label,
  r.protocol,
  paperPct(r.paperTop1),
  pct(r.top1),
  paperPct(r.paperTop5),
  pct(r.top5),
];

/** The comparison as a fixed-width text table (what `reproduce` prints). */
export function formatComparison(rows: ComparisonRow[]): string {
  const table = [
    ['', 'protocol', 'paper top-1', 'ours top-1', 'paper top-5', 'ours top-5'],
    ...rows.map(comparisonCells),
  ];
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

function perLayer(
  records: RunRecord[],
  pick: (r: RunRecord) => { layer: string; mean: number }[] | null,
) {
  const rows: { run: string; layer: string; order: number; mean: number; std: number }[] = [];
  for (const [variant, rs] of variantsOf(records)) {
    const lists = rs
      .map(pick)
      .filter((l): l is { layer: string; mean: number }[] => l !== null && l.length > 0);
    if (lists.length === 0) continue;
    lists[0].forEach((l, i) => {
      const s = meanStd(lists.map((list) => list[i]?.mean ?? Number.NaN).filter(Number.isFinite));
      rows.push({ run: variant, layer: l.layer, order: i, mean: s.mean, std: s.std });
    });
  }
  return rows;
}

/** Per-layer values as a table: one row per layer, one `mean ± std` column per variant. */
function perLayerTable(rows: ReturnType<typeof perLayer>, digits = 3) {
  const variants = [...new Set(rows.map((r) => r.run))];
  const layers = [...new Set(rows.map((r) => r.layer))];
  const at = (v: string, l: string) => rows.find((r) => r.run === v && r.layer === l);
  return {
    head: ['layer', ...variants],
    body: layers.map((l) => [
      l,
      ...variants.map((v) => {
        const r = at(v, l);
        return r === undefined ? '—' : `${r.mean.toFixed(digits)} ± ${r.std.toFixed(digits)}`;
      }),
    ]),
  };
}

/**
 * Per-step training loss averaged in ~60 windows per run, then over seeds (with the lowest and
 * highest seed as the band): single-step losses of a 32-image batch are too noisy to read.
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

function curves(records: RunRecord[]) {
  const points: { run: string; epoch: number; series: string; error: number }[] = [];
  for (const [variant, rs] of variantsOf(records)) {
    const maxEpoch = Math.max(0, ...rs.map((r) => r.epochs.length));
    for (let e = 0; e < maxEpoch; e++) {
      for (const series of ['train', 'val'] as const) {
        const vals = rs
          .map((r) =>
            series === 'train' ? r.epochs[e]?.trainTop1Error : r.epochs[e]?.valTop1Error,
          )
          .filter((v): v is number => typeof v === 'number');
        if (vals.length > 0)
          points.push({ run: variant, epoch: e + 1, series, error: meanStd(vals).mean });
      }
    }
  }
  return points;
}

export interface ReportOutput {
  markdown: string;
  html: string;
  mdPath: string;
  htmlPath: string;
  rows: ComparisonRow[];
  charts: string[];
}

/**
 * Writes `report.md` and a self-contained `report.html` (inline SVG charts, inline CSS, no
 * script) for a set of run directories. Everything from data or configs is escaped: preact
 * escapes text and attributes; Markdown cells are backslash-escaped; chart text is escaped by
 * Vega's SVG renderer.
 */
export async function writeReport(
  runDirs: string[],
  out: string,
  ensemble: EvalResult[] = [],
): Promise<ReportOutput> {
  const records = runDirs.map((d) => loadRecord(resolve(d)));
  const names = [...new Set(records.map((r) => r.config.experiment))];
  const experiment = names.length === 1 ? experiments[names[0]] : undefined;
  const title = experiment
    ? `${experiment.source}: ${experiment.title}`
    : `Runs: ${names.join(', ')}`;
  const rows = comparisonRows(records, experiment, ensemble);
  const scales = [...new Set(records.map((r) => r.config.scale))].join(', ');
  const datas = [...new Set(records.map((r) => r.dataName))].join('; ');
  const epochs = [...new Set(records.map((r) => r.summary?.epochs ?? r.config.epochs))].join(', ');
  const seeds = [...new Set(records.map((r) => r.config.seed))].sort((a, b) => a - b);
  const label = `scale ${scales} · data ${datas} · epochs ${epochs} · seeds ${seeds.join(', ')} (${seeds.length})`;

  const charts: { title: string; svg: string }[] = [];
  const points = curves(records);
  if (points.length > 0) {
    charts.push({
      title: 'Convergence (top-1 error per epoch; train = mini-batches, val = centre crops)',
      svg: await renderSvg(convergenceSpec(points, 'Convergence')),
    });
  }
  const losses = lossCurves(records.map((r) => ({ variant: r.config.variant, losses: r.losses })));
  if (losses.length > 0) {
    charts.push({
      title:
        'Training loss per step (mean over seeds in windows of steps; band: lowest–highest seed)',
      svg: await renderSvg(lossSpec(losses, 'Training loss')),
    });
  }
  const slopes = perLayer(records, (r) => r.slopes);
  if (slopes.length > 0) {
    charts.push({
      title: 'Learned PReLU slopes per layer (mean over channels; ± std over seeds)',
      svg: await renderSvg(perLayerSpec(slopes, 'Learned slopes', 'slope')),
    });
  }
  const responses = perLayer(records, (r) => r.responses);
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

  const meta = records.map((r) => ({
    run: r.dir,
    variant: r.config.variant,
    seed: String(r.config.seed),
    model: `${r.config.model} ×${r.config.widthMultiplier}, ${r.config.activation}, ${r.config.init}`,
    steps: String(r.summary?.steps ?? 'unfinished'),
    backend: r.summary?.backend ?? '—',
    wall: r.summary ? `${(r.summary.wallTimeMs / 1000).toFixed(1)} s` : '—',
    versions: Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  }));
  const perClass = records.flatMap((r) =>
    r.evals.slice(0, 1).map((e) => ({ run: r.config.variant, seed: r.config.seed, e })),
  );

  const page: ReportPage = {
    title,
    label,
    caption: experiment
      ? `Paper: ${experiment.paper.caption}. Ours: top-1/top-5 error (%) on the validation split, mean ± std over seeds.`
      : null,
    comparison: rows.map(comparisonCells),
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
    runs: meta.map((m) => [
      m.run,
      m.variant,
      m.seed,
      m.model,
      m.steps,
      m.backend,
      m.wall,
      m.versions,
    ]),
  };
  const markdown = reportMarkdown(page);
  const html = reportHtml(page);
  mkdirSync(out, { recursive: true });
  const mdPath = join(out, 'report.md');
  const htmlPath = join(out, 'report.html');
  writeFileSync(mdPath, markdown);
  writeFileSync(htmlPath, html);
  return { markdown, html, mdPath, htmlPath, rows, charts: charts.map((c) => c.title) };
}
