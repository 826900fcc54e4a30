// The README's screenshot of a real report: run `npm start` (it writes
// runs/table2-cpu/report.html), then
//   npx tsx tools/docs/report-screenshot.ts [report.html] [out.png]
// (defaults: runs/table2-cpu/report.html → docs/images/report-table2-cpu.png). It opens the page
// in headless Chromium with the report tests' check (@rectifier/test-utils) and refuses to write
// a screenshot of a page that logged errors or left a chart empty.
import { existsSync, statSync } from 'node:fs';
import { checkInChromium } from '../../packages/test-utils/src/chromium';

const [html = 'runs/table2-cpu/report.html', png = 'docs/images/report-table2-cpu.png'] =
  process.argv.slice(2);
if (!existsSync(html)) {
  console.error(
    `${html} does not exist: run \`npm start\` first (it writes it), or name a report.html.`,
  );
  process.exit(1);
}
const seen = await checkInChromium(html, png);
console.log(
  JSON.stringify({ title: seen.title, charts: seen.charts, consoleErrors: seen.consoleErrors }),
);
const empty = seen.charts.filter((c) => c.elements === 0).length;
if (seen.consoleErrors.length > 0 || empty > 0 || seen.charts.length === 0) {
  console.error(`${html}: ${seen.consoleErrors.length} console error(s), ${empty} empty chart(s).`);
  process.exit(1);
}
console.log(`wrote ${png} (${(statSync(png).size / 1024).toFixed(0)} KB)`);
