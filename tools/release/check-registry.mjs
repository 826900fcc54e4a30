#!/usr/bin/env node
/**
 * First step of `npm run release`: names the registry `changeset publish` is about to publish
 * to, and refuses unless that is deliberate. changesets reads the registry from the environment
 * only (`npm_config_@rectifier:registry`, else `npm_config_registry`) and falls back to the public
 * npm registry when neither is set, so a release whose environment names nothing, or names a
 * remote registry nobody confirmed, must stop here:
 *
 *   - no registry in the environment: refused (say where to publish);
 *   - 127.0.0.1 / localhost / [::1] (the CI's throwaway Verdaccio): allowed;
 *   - anything else: allowed only when RECTIFIER_PUBLISH_REGISTRY repeats the same URL.
 *
 * It also refuses when npm would send @rectifier packages somewhere else than changesets thinks
 * (a `@rectifier:registry` in an .npmrc, or a `publishConfig.registry` in a package.json).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const refuse = (message) => {
  console.error(`release refused: ${message}`);
  process.exit(1);
};
const normal = (url) => (url.endsWith('/') ? url : `${url}/`);

const named = env['npm_config_@rectifier:registry'] || env.npm_config_registry;
if (!named) {
  refuse(
    'no registry named in the environment, and changesets would fall back to the public npm ' +
      'registry. Set npm_config_registry to the registry to publish to (see docs/releasing.md).',
  );
}
let url;
try {
  url = new URL(named);
} catch {
  refuse(
    `the registry "${named}" is not a URL (set npm_config_registry to e.g. http://127.0.0.1:4873/)`,
  );
}

for (const dir of readdirSync(join(root, 'packages'))) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  const own = pkg.publishConfig?.registry ?? pkg.publishConfig?.['@rectifier:registry'];
  if (!pkg.private && own !== undefined) {
    refuse(
      `${pkg.name} sets publishConfig registry "${own}": remove it; the environment names the registry.`,
    );
  }
}

// What npm itself will use for the scope (an .npmrc entry beats npm_config_registry).
const scoped = execFileSync('npm', ['config', 'get', '@rectifier:registry'], { cwd: root, env })
  .toString()
  .trim();
if (scoped !== 'undefined' && scoped !== '' && normal(scoped) !== normal(named)) {
  refuse(`npm would publish @rectifier packages to ${scoped} (from an .npmrc), not ${named}.`);
}

const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
if (!loopback && normal(env.RECTIFIER_PUBLISH_REGISTRY ?? '') !== normal(url.href)) {
  refuse(
    `publishing to ${url.href} is a real release: confirm it by setting ` +
      `RECTIFIER_PUBLISH_REGISTRY=${url.href} as well (docs/releasing.md).`,
  );
}
console.log(`release: publishing to ${url.href}${loopback ? ' (local registry)' : ''}`);
