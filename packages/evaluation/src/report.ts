import { EvaluationArgumentError } from './errors';
import type { EvaluationResult } from './evaluate';

/** Every result with its figures and settings, as one JSON document (2-space indented). */
export function formatJson(results: readonly EvaluationResult[]): string {
  return `${JSON.stringify({ format: 'rectifier-evaluation/1', results }, null, 2)}\n`;
}

/** One row of `formatTable`: a model and its results under several protocols. */
export interface TableRow {
  model: string;
  results: readonly EvaluationResult[];
}

const percent = (x: number) => (100 * x).toFixed(2);

/**
 * A Markdown table laid out like the paper's Tables 4–6: one row per model, one column pair
 * (top-1, top-5 error in %) per protocol label (e.g. `dense(256)`, `dense(384)`, `dense(480)`,
 * `multiScale(256, 384, 480)`), columns in order of first appearance; a missing cell is `—`.
 */
export function formatTable(rows: readonly TableRow[]): string {
  if (rows.length === 0) {
    throw new EvaluationArgumentError('formatTable: Argument `rows` must be a non-empty array.');
  }
  const labels: string[] = [];
  for (const row of rows)
    for (const r of row.results) if (!labels.includes(r.label)) labels.push(r.label);
  const header = `| model | ${labels.map((l) => `${l} top-1 | ${l} top-5`).join(' | ')} |`;
  const rule = `| --- | ${labels.map(() => '---: | ---:').join(' | ')} |`;
  const body = rows.map((row) => {
    const cells = labels.map((l) => {
      const r = row.results.find((x) => x.label === l);
      return r ? `${percent(r.top1Error)} | ${percent(r.top5Error)}` : '— | —';
    });
    return `| ${row.model} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...body].join('\n');
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Per-class errors as CSV (`index,name,count,top1_error,top5_error`), sorted by top-5 error. */
export function formatPerClassCsv(result: EvaluationResult): string {
  const lines = result.perClass.map((c) =>
    [c.index, c.name, c.count, c.top1Error, c.top5Error].map(csvField).join(','),
  );
  return `${['index,name,count,top1_error,top5_error', ...lines].join('\n')}\n`;
}
