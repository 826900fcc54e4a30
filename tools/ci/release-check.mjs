#!/usr/bin/env node
/**
 * The release as a user meets it. Starts a throwaway Verdaccio registry on 127.0.0.1 (no
 * uplinks: it holds only what this run publishes), publishes every published package to it with
 * the repo's own release command (`npm run release`), then installs from it, in a fresh project
 * outside the repo, only the packages a user names, and runs their examples there. Nothing comes
 * from the workspace: the consumer sees the registry's tarballs and, for everything outside the
 * @rectifier scope, the normal registry.
 *
 *   node tools/ci/release-check.mjs [--keep]     (npm run test:release)
 *
 * Verdaccio is stopped in `finally` and on SIGINT/SIGTERM, whatever failed; it also exits by
 * itself when this process dies without either (tools/ci/release/registry-server.mjs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'rectifier-release-'));
const version = (pkg) =>
  JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;

/** Packages that `npm run release` must publish: every non-private workspace package. */
const published = readdirSync(join(root, 'packages'))
  .map((dir) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')))
  .filter((pkg) => !pkg.private);

/**
 * What users install, one package (or pair) at a time, each into its own fresh project, and what
 * must then work there. `install` is what the user types after `npm i`; `run` gets the project
 * folder.

 */
const consumers = [
  {
    name: 'activations + initializers',
    install: [
      '@rectifier/activations',
      '@rectifier/initializers',
      `@tensorflow/tfjs@${version('@tensorflow/tfjs')}`,
      // The example's compiler and Node types, from the normal registry like any user's.
      `typescript@${version('typescript')}`,
      `@types/node@${version('@types/node').split('.')[0]}`,
    ],
    files: {
      'consumer-esm.ts': 'consumer-esm.ts',
      'consumer-cjs.cjs': 'consumer-cjs.cjs',
      'tsconfig.json': 'tsconfig.consumer.json',
    },
    run: (dir) => {
      // Type-check (and emit) the ESM example against the published .d.ts files, then run both.
      print(run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir }));
      print(run(process.execPath, ['out/consumer-esm.js'], { cwd: dir }));
      print(run(process.execPath, ['consumer-cjs.cjs'], { cwd: dir }));
    },
  },
  {
    name: 'reproduce (the rectifier CLI)',
    install: ['@rectifier/reproduce', `@tensorflow/tfjs@${version('@tensorflow/tfjs')}`],
    files: {},
    run: (dir) => {
      const rectifier = join(dir, 'node_modules', '.bin', 'rectifier');
      const info = JSON.parse(run(rectifier, ['info', '--json'], { cwd: dir }));
      console.log(`rectifier info: backend ${info.backend?.name}`);
      // 20 steps of Table 2's PReLU variant on the Fashion-MNIST subset the package ships.
      const summary = JSON.parse(
        run(
          rectifier,
          ['train', '--preset', 'table2/prelu', '--max-steps', '20', '--run-dir', 'run', '--json'],
          { cwd: dir },
        ),
      );
      const written = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
      if (written.steps !== 20 || !/^[0-9a-f]{64}$/.test(written.weightsSha256)) {
        throw new Error(`rectifier train: unexpected summary.json ${JSON.stringify(written)}`);
      }
      console.log(`rectifier train: 20 steps, train top-1 error ${summary.trainTop1Error}`);
    },
  },
];

function run(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
      ...options,
    }).toString();
  } catch (error) {
    // tsc and npm report on stdout: show it, not a dump of the Buffer.
    process.stdout.write(error.stdout?.toString() ?? '');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${error.status ?? error.signal})`);
  }
}
const print = (text) => text && process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/**
 * One HTTP request without keep-alive (Verdaccio closes idle sockets, which a pooled client such
 * as fetch may then reuse). Resolves { status, body } with the body parsed as JSON when it is.
 */
function http(url, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent: false, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A port nobody listens on now (the registry binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Verdaccio with an offline config; resolves once it answers /-/ping. */
async function startRegistry() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const dir = join(work, 'registry');
  mkdirSync(join(dir, 'storage'), { recursive: true });
  // No `uplinks` and no `proxy`: a name it was not given is a 404, never a fetch from outside.
  // Only the @rectifier scope exists here; publishing needs the user created below.
  const config = [
    `storage: ${join(dir, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(dir, 'htpasswd')}`,
    '    max_users: 1',
    'uplinks: {}',
    'packages:',
    "  '@rectifier/*':",
    '    access: $all',
    '    publish: $authenticated',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: error }',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yaml'), config);
  // stdin is a pipe this process holds: the registry exits when it closes (registry-server.mjs).
  const child = spawn(
    process.execPath,
    [
      join(here, 'release', 'registry-server.mjs'),
      join(dir, 'config.yaml'),
      '127.0.0.1',
      String(port),
    ],
    { stdio: ['pipe', 'inherit', 'inherit'] },
  );
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const started = performance.now();
  for (;;) {
    if (exited) throw new Error(`verdaccio exited at start (${JSON.stringify(exited)})`);
    try {
      if ((await http(`${url}-/ping`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`verdaccio did not answer ${url}-/ping within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`verdaccio ${version('verdaccio')} on ${url} (storage ${join(dir, 'storage')})`);
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    console.log('verdaccio stopped');
  };
  return { url, stop };
}

/** One HTTP request: the CouchDB-style user creation npm's `adduser` makes; returns its token. */
async function createUser(url) {
  const name = 'release-check';
  const { status, body } = await http(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    body: { name, password: `pw-${process.pid}-${Date.now()}` },
  });
  if (status !== 201 || typeof body.token !== 'string') {
    throw new Error(`creating the registry user failed: ${status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

/**
 * Runs the repo's release command with the environment naming the throwaway registry. The
 * user config is a fresh file holding only this registry's token, so there is no credential
 * for any other registry, and tools/release/check-registry.mjs (the release script's first
 * step) refuses a non-loopback registry that was not confirmed by name.
 */
function release(url, token) {
  const npmrc = join(work, 'publisher.npmrc');
  writeFileSync(npmrc, `//${new URL(url).host}/:_authToken=${token}\n`);
  const env = { ...process.env, NPM_CONFIG_USERCONFIG: npmrc };
  for (const key of Object.keys(env)) {
    if (/^npm_config_/i.test(key) && key !== 'NPM_CONFIG_USERCONFIG') delete env[key];
  }
  delete env.RECTIFIER_PUBLISH_REGISTRY;
  env.npm_config_registry = url;
  env['npm_config_@rectifier:registry'] = url;
  const started = performance.now();
  // --no-git-tag: a check must not leave release tags in the repository (a real release tags).
  print(run('npm', ['run', 'release', '--', '--no-git-tag'], { cwd: root, env }));
  console.log(`npm run release: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** Every published package is on the registry at its workspace version. */
async function assertPublished(url) {
  for (const pkg of published) {
    const { body } = await http(`${url}${pkg.name.replace('/', '%2f')}`);
    if (!body?.versions?.[pkg.version]) {
      throw new Error(`${pkg.name}@${pkg.version} is not on the registry after the release`);
    }
  }
  console.log(`published: ${published.map((p) => `${p.name}@${p.version}`).join(', ')}`);
}

/** A fresh project outside the repo; @rectifier from the registry, the rest from the usual one. */
function consumerProject(consumer, url, index) {
  const dir = join(work, `consumer-${index}`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `rectifier-consumer-${index}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  // The lockfile keeps resolved URLs so the check can see where each package came from.
  writeFileSync(
    join(dir, '.npmrc'),
    `@rectifier:registry=${url}\nomit-lockfile-registry-resolved=false\n`,
  );
  for (const [to, from] of Object.entries(consumer.files)) {
    writeFileSync(join(dir, to), readFileSync(join(here, 'release', from)));
  }
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_config_/i.test(key)) delete env[key];
  const started = performance.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...consumer.install], {
    cwd: dir,
    env,
  });
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const ours = Object.entries(lock.packages).filter(([path]) =>
    path.startsWith('node_modules/@rectifier/'),
  );
  const asked = consumer.install.filter((spec) => spec.startsWith('@rectifier/'));
  for (const [path, entry] of ours) {
    if (!entry.resolved?.startsWith(url)) {
      throw new Error(`${path} did not come from the release registry: ${entry.resolved}`);
    }
  }
  console.log(
    `[${consumer.name}] installed ${asked.join(', ')} in ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
      `@rectifier packages present: ${ours.map(([path]) => path.slice('node_modules/'.length)).join(', ')}`,
  );
  return dir;
}

let registry;
const stopOnSignal = (signal) => {
  Promise.resolve(registry?.stop()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);

try {
  registry = await startRegistry();
  const token = await createUser(registry.url);
  release(registry.url, token);
  await assertPublished(registry.url);
  consumers.forEach((consumer, index) => {
    consumer.run(consumerProject(consumer, registry.url, index));
  });
  console.log('release check: ok');
} finally {
  await registry?.stop();
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
