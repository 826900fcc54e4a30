import { h } from 'preact';
import { render } from 'preact-render-to-string';

/** Everything report.html shows, already formatted as text (numbers rounded, errors in %). */
export interface ReportPage {
  title: string;
  label: string;
  /** The paper table's caption and how ours compare, or null for runs of no one experiment. */
  caption: string | null;
  /** Runs counted once (a repeated seed) or reported apart (configs that differ). */
  warnings: string[];
  /** The comparison table: label, protocol, paper/ours top-1, paper/ours top-5, seeds, images. */
  comparisonHead: string[];
  comparison: string[][];
  /** The claims tested, with the rule that decides them: claim, source, verdict, details. */
  claims: { rule: string; rows: string[][] } | null;
  charts: { title: string; svg: string }[];
  layerTables: { title: string; head: string[]; body: string[][] }[];
  /** Per-class errors of each run's first result: class, top-1 %, top-5 %. */
  perClass: { title: string; rows: string[][] }[];
  /** run, variant, seed, model, steps, backend, wall time, versions. */
  runs: string[][];
}

const style =
  'body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f3f3f3}.label{color:#555}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.4em}.chart svg{max-width:100%;height:auto}.warnings{color:#8a4b00}';

const table = (head: string[], body: string[][]) =>
  h(
    'table',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((c) => h('th', null, c)),
      ),
    ),
    h(
      'tbody',
      null,
      body.map((row) =>
        h(
          'tr',
          null,
          row.map((c) => h('td', null, c)),
        ),
      ),
    ),
  );

/**
 * report.html: self-contained (inline SVG charts, inline CSS, no script). preact escapes every
 * string child and attribute; the chart SVGs are Vega's, whose text is escaped by its renderer.
 */
export function reportHtml(p: ReportPage): string {
  const page = h(
    'html',
    { lang: 'en' },
    h(
      'head',
      null,
      h('meta', { charset: 'utf-8' }),
      h('title', null, p.title),
      h('style', null, style),
    ),
    h(
      'body',
      null,
      h('h1', null, p.title),
      h('p', { class: 'label' }, p.label),
      p.caption === null ? null : h('p', null, p.caption),
      p.warnings.length === 0
        ? null
        : h(
            'ul',
            { class: 'warnings' },
            p.warnings.map((w) => h('li', null, w)),
          ),
      table(p.comparisonHead, p.comparison),
      p.claims === null
        ? null
        : [
            h('h2', null, "The paper's claims"),
            h('p', { class: 'label' }, p.claims.rule),
            table(['claim', 'paper', 'verdict', 'comparisons'], p.claims.rows),
          ],
      p.charts.map((c) =>
        h(
          'figure',
          { class: 'chart' },
          h('figcaption', null, c.title),
          h('div', { dangerouslySetInnerHTML: { __html: c.svg } }),
        ),
      ),
      p.layerTables.map((t) => [h('h2', null, t.title), table(t.head, t.body)]),
      h('h2', null, 'Per-class errors (first protocol of each run)'),
      p.perClass.map((c) =>
        h(
          'details',
          null,
          h('summary', null, c.title),
          table(['class', 'top-1 error (%)', 'top-5 error (%)'], c.rows),
        ),
      ),
      h('h2', null, 'Runs'),
      table(
        ['run', 'variant', 'seed', 'model', 'steps', 'backend', 'wall time', 'versions'],
        p.runs,
      ),
      h('p', { class: 'label' }, `Written ${new Date().toISOString()} by @rectifier/reproduce.`),
    ),
  );
  return `<!doctype html>\n${render(page)}\n`;
}
