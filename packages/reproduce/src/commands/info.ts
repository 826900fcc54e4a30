import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { listWebGpuAdapters, type WebGpuAdapterInfo } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { type Command, Option } from 'commander';
import { backendChoices } from '../config';
import { ensureBackend } from '../run';
import { type Io, printJson, withExample } from './io';

/** The packages whose versions `info` reports (what a bug report needs). */
const packages = [
  '@rectifier/reproduce',
  '@rectifier/backend',
  '@rectifier/architectures',
  '@rectifier/trainer',
  '@rectifier/evaluation',
  '@rectifier/data',
  '@rectifier/augmentation',
  '@rectifier/activations',
  '@rectifier/initializers',
  '@rectifier/core',
] as const;

/** Installed version of each package, read from its own package.json (every one exports it). */
export function packageVersions(): Record<string, string> {
  // ESM has import.meta.url; the CommonJS build has __filename instead.
  const here = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
  const require = createRequire(here);
  const out: Record<string, string> = {};
  for (const name of packages) {
    try {
      out[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}

/** One line per WebGPU adapter (what `--backend webgpu` and RECTIFIER_GPU choose among). */
export function adapterLines(adapters: WebGpuAdapterInfo[] | Error): string[] {
  if (adapters instanceof Error) return [`webgpu adapters: none (${adapters.message})`];
  if (adapters.length === 0) {
    return [
      "webgpu adapters: none (a GPU needs its Vulkan driver; see @rectifier/backend's GPU docs)",
    ];
  }
  return [
    'webgpu adapters (RECTIFIER_GPU index):',
    ...adapters.map(
      (a, i) =>
        `  ${i}: ${[a.vendor, a.architecture, a.description].filter((f) => f !== '').join(', ')}` +
        (a.software ? ' — software, computes on the CPU' : ' — GPU'),
    ),
  ];
}

export function infoCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('info')
      .description(
        'backends available, the engine training uses, device, threads, WebGPU adapters, versions',
      )
      .addOption(
        new Option('--backend <name>', 'the backend to try, as `train --backend`')
          .choices(backendChoices)
          .default('auto'),
      )
      .option('--json', 'print JSON only')
      .action(async (o) => {
        const backend = await ensureBackend({ backend: o.backend }, (m) => io.err(m));
        const adapters = await listWebGpuAdapters();
        const versions = packageVersions();
        // `onednn` runs under tfjs's `wasm` backend with Rectifier's oneDNN kernels: its version
        // is oneDNN's, and the package that provides it is @rectifier/backend.
        const engine =
          backend.name === 'onednn'
            ? `oneDNN ${backend.version} via @rectifier/backend ${versions['@rectifier/backend']}`
            : `${backend.package} ${backend.version}`;
        const value = {
          // The one engine `train` with the same --backend uses (summary.json's `backend`).
          chosen: backend.name,
          engine,
          backend,
          tfjsBackend: tf.getBackend(),
          webgpuAdapters: adapters instanceof Error ? { error: adapters.message } : adapters,
          cores: availableParallelism(),
          versions: { node: process.version, tfjs: tf.version.tfjs, ...versions },
        };
        if (o.json) {
          printJson(io, value);
          return;
        }
        io.out(
          [
            `chosen ${backend.name} (${engine}, ${backend.device}, ${backend.threads} thread(s))`,
            `training kernels: ${backend.trainingKernels.join(', ') || 'native'}`,
            ...adapterLines(adapters),
            `cores ${value.cores}`,
            `node ${process.version}, tfjs ${tf.version.tfjs}`,
            ...Object.entries(versions).map(([name, v]) => `${name} ${v}`),
          ].join('\n') + '\n',
        );
      }),
    'rectifier info --json',
  );
}
