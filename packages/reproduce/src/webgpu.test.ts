import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackendInfo, listWebGpuAdapters } from '@rectifier/backend';
import { webGpuTests } from '@rectifier/test-utils';
import { describe, expect, it } from 'vitest';
import { softwareAdapterWarning } from './run';
import { cli } from './testing/cli';

// The app on the webgpu engine, in its own file: the CLI selects one backend per process.
const adapters = await listWebGpuAdapters();
const run = webGpuTests('app webgpu tests', adapters);
const root = mkdtempSync(join(tmpdir(), 'rectifier-cli-webgpu-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');

const swiftShader: BackendInfo = {
  name: 'webgpu',
  device: 'cpu',
  package: '@tensorflow/tfjs-backend-webgpu',
  version: '4.22.0',
  threads: 0,
  trainingKernels: [],
  adapter: {
    vendor: 'google',
    architecture: 'swiftshader',
    description: 'SwiftShader driver 5.0.0',
    software: true,
  },
};

describe('--backend webgpu on a software adapter', () => {
  it('is allowed (an explicit request) with a warning naming the adapter; a GPU gets none', () => {
    expect(softwareAdapterWarning(swiftShader)).toMatch(
      /^warning: --backend webgpu runs on a software adapter \(SwiftShader driver 5\.0\.0\), which computes on the CPU/,
    );
    const gpu = {
      ...swiftShader,
      device: 'gpu',
      adapter: { vendor: 'nvidia', architecture: 'ada', description: 'RTX', software: false },
    } as const;
    expect(softwareAdapterWarning(gpu)).toBeNull();
    expect(softwareAdapterWarning({ ...swiftShader, name: 'wasm', adapter: undefined })).toBeNull();
  });
});

describe.runIf(run)('the app on webgpu', () => {
  const runDir = join(root, 'run');

  it('rectifier train --backend webgpu: 2 steps of a narrow net, recorded as webgpu', async () => {
    // 16 images in batches of 8, the small net at 1/8 width: SwiftShader compiles every kernel
    // once, which is most of the time.
    const r = await cli(
      ...['train', '--width', '0.125', '--fc-units', '16', '--batch-size', '8'],
      ...['--train-limit', '16', '--val-limit', '8', '--backend', 'webgpu', '--max-steps', '2'],
      ...['--run-dir', runDir, '--json'],
    );
    expect(r.code, r.err).toBe(0);
    const software = Array.isArray(adapters) && adapters.every((a) => a.software);
    if (software) expect(r.err).toMatch(/--backend webgpu runs on a software adapter/);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ steps: 2, backend: 'webgpu' });
    expect(Number.isFinite(summary.trainLoss)).toBe(true);
  });

  it('rectifier eval --backend webgpu scores the run', async () => {
    const r = await cli('eval', runDir, '--backend', 'webgpu', '--val-limit', '8', '--json');
    expect(r.code, r.err).toBe(0);
    const [result] = JSON.parse(r.out);
    expect(result).toMatchObject({ protocol: 'center', images: 8 });
    expect(result.top1Error).toBeGreaterThanOrEqual(0);
    expect(result.top1Error).toBeLessThanOrEqual(1);
  });

  it('rectifier info lists the adapters', async () => {
    const r = await cli('info', '--backend', 'webgpu', '--json');
    expect(r.code, r.err).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.chosen).toBe('webgpu');
    expect(info.webgpuAdapters).toEqual(adapters);
  });
});
