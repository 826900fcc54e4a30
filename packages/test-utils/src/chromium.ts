import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumPath } from './systemPackages';

/** What a headless Chromium saw in a report page. */
export interface PageCheck {
  title: string;
  /** One entry per `<figure class="chart">`: how many SVG elements it drew and its box. */
  charts: { elements: number; width: number; height: number }[];
  consoleErrors: string[];
  dialogs: string[];
  text: string;
}

/**
 * Opens `htmlPath` in Debian's Chromium (headless, no network, a fresh profile) through
 * playwright-core and reports the charts drawn, console errors and any dialog (an `alert` a
 * payload in the data would raise). Optionally writes a full-page screenshot. Test and docs
 * tooling only (report tests, tools/docs/report-screenshot.ts): playwright-core is imported
 * here, on first use, so no package's tests load it unless they open a page.
 */
export async function checkInChromium(htmlPath: string, screenshot?: string): Promise<PageCheck> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'rectifier-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1100, height: 900 },
  });
  try {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          elements: svg ? svg.querySelectorAll('path, line, rect, text').length : 0,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return {
      title: await page.title(),
      charts,
      consoleErrors,
      dialogs,
      text: (await page.textContent('body')) ?? '',
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
