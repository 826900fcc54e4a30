import type { ReportPage } from './reportHtml';

/** Markdown-safe cell: no table breaks, no raw HTML. */
function md(s: string): string {
  return s.replace(/[\\|`*_[\]<>&]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

const row = (cells: string[]) => `| ${cells.map(md).join(' | ')} |`;

/**
 * report.md: the same page as report.html, every cell backslash-escaped; the charts as images of
 * the SVG files `chartFiles` names (written beside it), or only named when none are given.
 */
export function reportMarkdown(p: ReportPage, chartFiles: string[] = []): string {
  const charts =
    chartFiles.length === p.charts.length && p.charts.length > 0
      ? [
          '## Charts',
          '',
          ...p.charts.flatMap((c, i) => [`![${md(c.title)}](${chartFiles[i]})`, '']),
        ]
      : [`Charts: ${p.charts.map((c) => md(c.title)).join('; ') || 'none'} (in report.html).`, ''];
  return [
    `# ${md(p.title)}`,
    '',
    md(p.label),
    '',
    p.caption === null ? '' : md(p.caption),
    '',
    ...(p.warnings.length === 0 ? [] : [...p.warnings.map((w) => `- Warning: ${md(w)}`), '']),
    row(p.comparisonHead),
    `| ${p.comparisonHead.map(() => '---').join(' | ')} |`,
    ...p.comparison.map(row),
    '',
    ...(p.claims === null
      ? []
      : [
          "## The paper's claims",
          '',
          md(p.claims.rule),
          '',
          '| claim | paper | verdict | comparisons |',
          '| --- | --- | --- | --- |',
          ...p.claims.rows.map(row),
          '',
        ]),
    ...p.layerTables.flatMap((t) => [
      `## ${md(t.title)}`,
      '',
      row(t.head),
      `| ${t.head.map(() => '---').join(' | ')} |`,
      ...t.body.map(row),
      '',
    ]),
    '## Runs',
    '',
    '| run | variant | seed | model | steps | backend | wall time | versions |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...p.runs.map(row),
    '',
    ...charts,
  ].join('\n');
}
