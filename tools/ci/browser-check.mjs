#!/usr/bin/env node
/**
 * Rectifier in tfjs's home, the browser: bundles tools/ci/browser/page.mjs with esbuild for the
 * browser (the packages' built dist/, through their `exports` as a web app resolves them),
 * serves it with tfjs-backend-wasm's .wasm files from a static server on 127.0.0.1, opens it in
 * Debian's headless Chromium (driven by playwright-core, never a downloaded browser), and checks
 * that the small PReLU-net trained on wasm with Rectifier's kernels: every loss finite, no leak
 * between steps, no console error, no failed request. Then webgpu.html in a second Chromium with
 * WebGPU on SwiftShader (Chromium's CPU Vulkan driver): the same net trained on `webgpu` must
 * give the cpu backend's losses.
 *
 *   node tools/ci/browser-check.mjs [--keep]     (npm run test:browser, after `npm run build`)
 *
 * CHROMIUM overrides the browser binary (default /usr/bin/chromium).
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveSeed } from '@rectifier/core';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const keep = process.argv.includes('--keep');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const site = mkdtempSync(join(tmpdir(), 'rectifier-browser-site-'));
const profile = mkdtempSync(join(tmpdir(), 'rectifier-browser-profile-'));

if (!existsSync(executablePath)) {
  console.error(`${executablePath} not found: apt-get install chromium (or set CHROMIUM)`);
  process.exit(1);
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** Serves `site` on 127.0.0.1 (a free port); only files that exist there, nothing else. */
function serve() {
  const server = createServer((req, res) => {
    const name = new URL(req.url, 'http://x').pathname.slice(1) || 'index.html';
    const path = join(site, name);
    if (name.includes('/') || name.includes('..') || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(name)] ?? 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

let server;
let context;
let failed = false;
try {
  const started = performance.now();
  const result = await build({
    entryPoints: [join(here, 'browser', 'page.mjs'), join(here, 'browser', 'page_webgpu.mjs')],
    outdir: site,
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
  // Nothing Node-only may reach the page (a bundler would only stub it out).
  const nodeOnly = Object.keys(result.metafile.inputs).filter((input) =>
    /^(node:|fs$|path$|os$|worker_threads$)/.test(input),
  );
  if (nodeOnly.length > 0) throw new Error(`Node-only modules in the bundle: ${nodeOnly}`);
  const bytes =
    result.metafile.outputs[Object.keys(result.metafile.outputs).find((o) => o.endsWith('page.js'))]
      .bytes;
  for (const html of ['index.html', 'webgpu.html'])
    copyFileSync(join(here, 'browser', html), join(site, html));
  const wasmDist = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const file of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(join(wasmDist, file), join(site, file));
  }
  console.log(
    `bundled page.js (${(bytes / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const problems = [];
  const usual = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  /** Opens `path` in a fresh headless Chromium with `args` and returns what the page reports. */
  const open = async (path, args) => {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(url + path);
    await page.waitForFunction(() => window.__rectifier !== undefined, null, { timeout: 300_000 });
    const reported = await page.evaluate(() => window.__rectifier);
    console.log(`chromium ${context.browser()?.version() ?? ''}: ${JSON.stringify(reported)}`);
    await context.close();
    context = undefined;
    return reported;
  };
  const run = await open('', ['--disable-gpu', ...usual]);

  if (!run.ok) problems.push(`the page failed: ${run.error}`);
  else {
    if (run.backend !== 'wasm' || run.selected !== 'wasm') problems.push(`backend ${run.backend}`);
    if (!run.kernels.includes('Conv2DBackpropFilter')) problems.push('training kernels missing');
    if (!run.losses.every(Number.isFinite)) problems.push(`a loss is not finite: ${run.losses}`);
    if (new Set(run.tensors).size !== 1) problems.push(`tensors leaked: ${run.tensors}`);
    if (run.slopes === 0) problems.push('no PReLU slope in the model');
    const nodeSeeds = [0, 1, 2].map((layer) => deriveSeed(1, 'init', layer));
    if (JSON.stringify(run.seeds) !== JSON.stringify(nodeSeeds)) {
      problems.push(`deriveSeed differs from Node's: ${run.seeds} vs ${nodeSeeds}`);
    }
    console.log(
      `small PReLU-net (${(run.multiplyAdds / 1e6).toFixed(0)} M multiply-adds/image), ` +
        `${run.losses.length} steps in ${run.seconds.toFixed(1)} s: loss ` +
        `${run.losses.map((l) => l.toFixed(4)).join(' → ')}` +
        (run.losses.at(-1) < run.losses[0] ? ' (decreasing)' : ' (finite, not decreasing)'),
    );
  }

  // WebGPU on SwiftShader: Chromium's own Vulkan loader and CPU driver, no GPU needed.
  const gpu = await open('webgpu.html', [
    ...usual,
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-vulkan=swiftshader',
    '--use-webgpu-adapter=swiftshader',
  ]);
  if (!gpu.ok) problems.push(`the webgpu page failed: ${gpu.error}`);
  else {
    if (gpu.backend !== 'webgpu' || gpu.selected !== 'webgpu')
      problems.push(`backend ${gpu.backend}`);
    const { webgpu, cpu } = gpu;
    if (!webgpu.losses.every(Number.isFinite))
      problems.push(`a webgpu loss is not finite: ${webgpu.losses}`);
    // Same seeds, same data: the losses agree to float32 rounding of different summation orders.
    const worst = Math.max(
      ...webgpu.losses.map((l, i) => Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i])),
    );
    if (!(worst < 1e-4))
      problems.push(`webgpu losses ${webgpu.losses} differ from cpu ${cpu.losses}`);
    if (new Set(webgpu.tensors).size !== 1)
      problems.push(`tensors leaked on webgpu: ${webgpu.tensors}`);
    console.log(
      `webgpu (${gpu.adapter.description || gpu.adapter.architecture}, software: ` +
        `${gpu.adapter.software}): ${webgpu.losses.length} steps in ${webgpu.seconds.toFixed(1)} s, ` +
        `loss ${webgpu.losses.map((l) => l.toFixed(5)).join(' → ')}; cpu ` +
        `${cpu.losses.map((l) => l.toFixed(5)).join(' → ')} (max relative difference ${worst.toExponential(1)})`,
    );
  }
  if (problems.length > 0) {
    failed = true;
    for (const problem of problems) console.error(problem);
  }
} finally {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  rmSync(profile, { recursive: true, force: true });
  if (keep) console.log(`kept ${site}`);
  else rmSync(site, { recursive: true, force: true });
}
if (failed) {
  console.error('browser check: failed');
  process.exit(1);
}
console.log('browser check: ok');
