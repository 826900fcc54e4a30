/**
 * Checks an installed (packed) package's manifest against what its tarball ships: every path
 * its `exports` (all conditions, `@rectifier/source` included), `main`/`module`/`types`,
 * `sideEffects` and source maps (unless embedded) name exists; it carries its LICENSE and the registry-page fields
 * (repository, homepage, bugs, keywords); internal dependencies are ranges, not exact pins.
 * publint and @arethetypeswrong/cli do not look at custom conditions or source maps.
 * Returns the problems found (empty when the package is fine).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function targets(value) {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(targets);
}

export function manifestProblems(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const problems = [];
  const named = [
    ...targets(pkg.exports).map((p) => ['exports', p]),
    ...['main', 'module', 'types'].filter((k) => pkg[k]).map((k) => [k, pkg[k]]),
    ...(Array.isArray(pkg.sideEffects) ? pkg.sideEffects.map((p) => ['sideEffects', p]) : []),
  ];
  for (const [field, path] of named) {
    if (!existsSync(join(dir, path))) problems.push(`${field} names ${path}, which is not shipped`);
  }
  const dist = join(dir, 'dist');
  for (const map of existsSync(dist) ? readdirSync(dist).filter((f) => f.endsWith('.map')) : []) {
    const { sources = [], sourcesContent = [] } = JSON.parse(readFileSync(join(dist, map), 'utf8'));
    for (const [i, source] of sources.entries()) {
      // A source whose text is embedded needs no file (tsup embeds them; its CJS shim is one).
      if (typeof sourcesContent[i] !== 'string' && !existsSync(join(dist, source))) {
        problems.push(`dist/${map} names source ${source}, which is not shipped`);
      }
    }
  }
  if (!existsSync(join(dir, 'LICENSE'))) problems.push(`no LICENSE file (license: ${pkg.license})`);
  if (!pkg.repository?.url) problems.push('no repository.url (README links break on the registry)');
  if (!pkg.homepage) problems.push('no homepage');
  if (!pkg.bugs?.url) problems.push('no bugs.url');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problems.push('no keywords');
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (name.startsWith('@rectifier/') && /^\d/.test(range)) {
      problems.push(`dependency ${name} is pinned to ${range}: use a range (^${range})`);
    }
  }
  return problems.map((p) => `${pkg.name}: ${p}`);
}
