import type { ReportPage } from './reportHtml';

/** Markdown-safe cell: no table breaks, no raw HTML. */
function md(s: string): string {
  return s.replace(/[\\|`*_[\]<>&]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

const row = (cells: string[]) => `| ${cells.map(md).join(' | ')} |`;

/** report.md: the same page as report.html, every cell backslash-escaped; charts named only. */
export function reportMarkdown(p: ReportPage): string {
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
    `Charts: ${p.charts.map((c) => md(c.title)).join('; ') || 'none'} (in report.html).`,
    '',
  ].join('\n');
}
