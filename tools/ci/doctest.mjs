#!/usr/bin/env node
/**
 * Doc tests: every ```ts / ```js block of the root README and of each published package's README
 * is a complete program (STYLE.md: "an example that does not run is a bug"). Each block is
 * type-checked against the packages' shipped .d.ts and then run with Node, in a project where
 * the packed tarballs are installed — what a user copying it gets. A failing block fails CI
 * with its README and line.
 *
 * Blocks run in a folder holding a few inputs the examples name: `photo.jpg` (500×375) and a
 * miniature ILSVRC-2012 tree, `imagenet/train/<wnid>/*.JPEG` and a flat `imagenet/val/` with
 * `LOC_val_solution.csv`; both are random pixels made with sharp.
 *
 *   node tools/ci/doctest.mjs <project>   (e.g. one kept by `packed-install.mjs --keep`)
 * packed-install.mjs runs it on the project it builds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The READMEs whose examples users copy: the repo's and each published package's. */
export function readmes() {
  const packages = readdirSync(join(root, 'packages'))
    .filter(
      (d) => !JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')).private,
    )
    .map((d) => join('packages', d, 'README.md'));
  return ['README.md', ...packages];
}

/**
 * Fenced code blocks in ts/js, with the README line their code starts on. A block fenced as
 * ```ts browser is page code (it needs a served folder of .wasm files): it is not run in Node;
 * tools/ci/browser-check.mjs runs the same calls in headless Chromium.
 */
export function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript|mjs)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

async function writeInputs(dir, sharp) {
  const noise = (width, height, seed) =>
    sharp({
      create: {
        width,
        height,
        channels: 3,
        background: { r: 0, g: 0, b: 0 },
        noise: { type: 'gaussian', mean: 128 + seed, sigma: 40 },
      },
    }).jpeg();
  await noise(500, 375, 0).toFile(join(dir, 'photo.jpg'));
  const wnids = ['n01440764', 'n01443537', 'n01484850'];
  const val = ['ImageId,PredictionString'];
  for (const [c, wnid] of wnids.entries()) {
    mkdirSync(join(dir, 'imagenet', 'train', wnid), { recursive: true });
    for (let i = 0; i < 4; i++) {
      await noise(80 + 8 * i, 64, c).toFile(
        join(dir, 'imagenet', 'train', wnid, `${wnid}_${i}.JPEG`),
      );
    }
    mkdirSync(join(dir, 'imagenet', 'val'), { recursive: true });
    const id = `ILSVRC2012_val_0000000${c + 1}`;
    await noise(72, 96, c).toFile(join(dir, 'imagenet', 'val', `${id}.JPEG`));
    val.push(`${id},${wnid} 1 1 10 10`);
  }
  writeFileSync(join(dir, 'imagenet', 'LOC_val_solution.csv'), `${val.join('\n')}\n`);
}

/** Type-checks and runs every README block inside `project`; returns the number of blocks. */
export async function runDocTests(project) {
  const dir = join(project, 'doctest');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const requireInProject = createRequire(join(project, 'package.json'));
  const sharp = (await import(pathToFileURL(requireInProject.resolve('sharp')).href)).default;
  await writeInputs(dir, sharp);

  const ts = createRequire(import.meta.url)(join(root, 'node_modules', 'typescript'));
  const programs = [];
  for (const readme of readmes()) {
    for (const { line, code } of codeBlocks(readFileSync(join(root, readme), 'utf8'))) {
      const name = `${readme.replace(/[/.]/g, '_')}_L${line}`;
      writeFileSync(join(dir, `${name}.ts`), code);
      const js = ts.transpileModule(code, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      writeFileSync(join(dir, `${name}.mjs`), js);
      programs.push({ readme, line, name });
    }
  }

  // Types first: the examples compile, under strict, against what the tarballs ship.
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const types = spawnSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--moduleDetection',
      'force',
      '--typeRoots',
      join(root, 'node_modules', '@types'),
      '--types',
      'node',
      ...programs.map((p) => join(dir, `${p.name}.ts`)),
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  if (types.status !== 0) {
    const located = types.stdout.replace(
      /(\w+)_L(\d+)\.ts\((\d+),(\d+)\)/g,
      (_, file, start, l, c) => {
        const readme = programs.find((p) => p.name === `${file}_L${start}`)?.readme ?? file;
        return `${readme}:${Number(start) + Number(l) - 1}:${c}`;
      },
    );
    throw new Error(`README examples do not type-check against the packed packages:\n${located}`);
  }

  for (const { readme, line, name } of programs) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [`${name}.mjs`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 300_000,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (run.status !== 0) {
      const tail = (s) => s.split('\n').slice(-30).join('\n');
      throw new Error(
        `README example ${readme}:${line} failed (exit ${run.status ?? run.signal}) after ${seconds} s:\n` +
          `--- stdout\n${tail(run.stdout)}\n--- stderr\n${tail(run.stderr)}`,
      );
    }
    console.log(`doc test ${readme}:${line}: ok (${seconds} s)`);
  }
  return programs.length;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const project = process.argv[2];
  if (!project) {
    console.error('usage: node tools/ci/doctest.mjs <project with the packed tarballs installed>');
    process.exit(2);
  }
  const count = await runDocTests(resolve(project));
  console.log(
    `doc tests: ${count} README examples ran (${relative(root, resolve(project)) || project})`,
  );
}
