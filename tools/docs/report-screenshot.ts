// Screenshot of a real report for the README: `npm start`, then
//   npx tsx --conditions @rectifier/source tools/docs/report-screenshot.ts runs/table2-cpu/report.html docs/images/report-table2-cpu.png
// Uses the same headless-Chromium check as the reproduce package's tests (@rectifier/test-utils).
import { checkInChromium } from '../../packages/test-utils/src/chromium';

const [html, png] = process.argv.slice(2);
const seen = await checkInChromium(html, png);
console.log(
  JSON.stringify({ title: seen.title, charts: seen.charts, consoleErrors: seen.consoleErrors }),
);
