import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, test } from 'vitest';
import { chooseBackend, type ModuleLoader } from '../backendChoice';
import {
  BackendArgumentError,
  BackendUnavailableError,
  listWebGpuAdapters,
  selectBackend,
} from '../index';
import { webGpuTests } from '../testing/webGpuTests';
import { wasmThreads } from '../wasm/threadCount';
import { adapterIndex, type GpuAdapterLike, isSoftwareAdapter } from './adapters';
import type { WebGpuEngine } from './startWebGpu';

afterEach(async () => {
  await tf.setBackend('cpu');
});

function fakeAdapter(info: Partial<GpuAdapterLike['info']>): GpuAdapterLike {
  return {
    info: { vendor: '', architecture: '', description: '', ...info },
    features: { has: () => false },
    limits: {},
    requestDevice: async () => ({}),
  };
}

const rtx = fakeAdapter({
  vendor: 'nvidia',
  architecture: 'ampere',
  description: 'NVIDIA RTX A4000',
});
const igpu = fakeAdapter({
  vendor: 'intel',
  architecture: 'gen-12lp',
  description: 'Intel UHD 770',
});
const swiftshader = fakeAdapter({
  vendor: 'google',
  architecture: 'swiftshader',
  description: 'SwiftShader driver 5.0.0',
  isFallbackAdapter: true,
});

/**
 * A machine with these adapters (the first for high-performance, the last for low-power);
 * activating one plays tfjs's webgpu backend with the cpu one, and records which was taken.
 */
function fakeEngine(adapters: GpuAdapterLike[], env: Record<string, string> = {}) {
  const activated: string[] = [];
  const engine: WebGpuEngine = {
    gpu: async () => ({
      requestAdapter: async (o) =>
        adapters.length === 0
          ? null
          : o?.powerPreference === 'low-power'
            ? adapters.at(-1)!
            : adapters[0],
    }),
    activate: async (adapter) => {
      activated.push(adapter.info.description);
      return (await tf.setBackend('cpu')) ? { version: '4.22.0' } : new Error('no cpu');
    },
    env,
  };
  return { engine, activated };
}

const noNative: ModuleLoader = async (specifier) => {
  throw new Error(`Cannot find module '${specifier}'`);
};
const threading = { register: () => {}, count: wasmThreads, defaultCount: () => 1 };

describe('the webgpu engine in selectBackend', () => {
  test('auto takes a hardware adapter after tfjs-node-gpu and before tfjs-node', async () => {
    const loaded: string[] = [];
    const { engine, activated } = fakeEngine([rtx]);
    const info = await chooseBackend(
      {},
      async (specifier) => {
        loaded.push(specifier);
        throw new Error('Cannot find module');
      },
      threading,
      { webgpu: engine },
    );
    expect(loaded).toEqual(['@tensorflow/tfjs-node-gpu']);
    expect(activated).toEqual(['NVIDIA RTX A4000']);
    expect(info).toMatchObject({
      name: 'webgpu',
      device: 'gpu',
      package: '@tensorflow/tfjs-backend-webgpu',
      adapter: {
        vendor: 'nvidia',
        architecture: 'ampere',
        description: 'NVIDIA RTX A4000',
        software: false,
      },
    });
  });

  test('tfjs-node-gpu, when it loads, stays first', async () => {
    const cpuFactory = tf.findBackendFactory('cpu')!;
    const { engine, activated } = fakeEngine([rtx]);
    const info = await chooseBackend(
      {},
      async () => {
        tf.registerBackend('tensorflow', cpuFactory, 3);
        return { version: '4.22.0' };
      },
      threading,
      { webgpu: engine },
    );
    tf.removeBackend('tensorflow');
    expect(info).toMatchObject({ name: 'tensorflow', package: '@tensorflow/tfjs-node-gpu' });
    expect(activated).toEqual([]);
  });

  test('auto never takes a software adapter, even when asked to allow one', async () => {
    const { engine, activated } = fakeEngine([swiftshader]);
    const info = await chooseBackend({ allowSoftwareAdapter: true }, noNative, threading, {
      webgpu: engine,
    });
    expect(info.name).toBe('wasm');
    expect(activated).toEqual([]);
  });

  test('webgpu by name refuses a software adapter unless allowSoftwareAdapter', async () => {
    const { engine } = fakeEngine([swiftshader]);
    const error = await chooseBackend({ prefer: 'webgpu' }, noNative, threading, {
      webgpu: engine,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /SwiftShader driver 5\.0\.0.*allowSoftwareAdapter: true/,
    );
    const info = await chooseBackend(
      { prefer: 'webgpu', allowSoftwareAdapter: true },
      noNative,
      threading,
      { webgpu: engine },
    );
    expect(info).toMatchObject({ name: 'webgpu', device: 'cpu', adapter: { software: true } });
  });

  test('no adapter, no package, no engine: a typed error saying what to do', async () => {
    const none = fakeEngine([]).engine;
    await expect(
      chooseBackend({ prefer: 'webgpu' }, noNative, threading, { webgpu: none }),
    ).rejects.toThrow(/no adapter.*Vulkan driver.*VK_ICD_FILENAMES/);
    const missing: WebGpuEngine = {
      ...none,
      gpu: async () =>
        new Error('the webgpu package (Dawn for Node) is not installed: npm install webgpu'),
    };
    await expect(
      chooseBackend({ prefer: 'webgpu' }, noNative, threading, { webgpu: missing }),
    ).rejects.toThrow(
      /Backend "webgpu" is not available: the webgpu package .* npm install webgpu/,
    );
    await expect(chooseBackend({ prefer: 'webgpu' }, noNative, threading)).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );
  });

  test('RECTIFIER_GPU, else the local rank, picks the adapter; one adapter serves every rank', async () => {
    expect(adapterIndex({}, 2)).toBe(0);
    expect(adapterIndex({ RECTIFIER_GPU: '1' }, 2)).toBe(1);
    expect(adapterIndex({ OMPI_COMM_WORLD_LOCAL_RANK: '1' }, 2)).toBe(1);
    expect(adapterIndex({ RECTIFIER_GPU: '0', OMPI_COMM_WORLD_LOCAL_RANK: '1' }, 2)).toBe(0);
    expect(adapterIndex({ SLURM_LOCALID: '3' }, 1)).toBe(0);
    expect(adapterIndex({ RECTIFIER_GPU: 'first' }, 2)).toBe(-1);

    const { engine, activated } = fakeEngine([rtx, igpu], { RECTIFIER_GPU: '1' });
    const info = await chooseBackend({ prefer: 'webgpu' }, noNative, threading, { webgpu: engine });
    expect(activated).toEqual(['Intel UHD 770']);
    expect(info.adapter?.vendor).toBe('intel');
    const bad = fakeEngine([rtx], { RECTIFIER_GPU: '-1' }).engine;
    await expect(
      chooseBackend({ prefer: 'webgpu' }, noNative, threading, { webgpu: bad }),
    ).rejects.toThrow(BackendArgumentError);
  });

  test('software adapters are told by fallback flag, vendor, architecture or description', () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(
      isSoftwareAdapter(
        fakeAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }),
      ),
    ).toBe(true);
    expect(isSoftwareAdapter(fakeAdapter({ device: 'lavapipe' }))).toBe(true);
    expect(
      isSoftwareAdapter({ ...fakeAdapter({ vendor: 'google' }), isFallbackAdapter: true }),
    ).toBe(true);
    expect(isSoftwareAdapter(rtx)).toBe(false);
    expect(isSoftwareAdapter(igpu)).toBe(false);
  });

  test('allowSoftwareAdapter is checked by name and value', async () => {
    await expect(selectBackend({ allowSoftware: true } as never)).rejects.toThrow(
      /`allowSoftware` \(did you mean `allowSoftwareAdapter`\?\)/,
    );
    await expect(
      selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: 'yes' as never }),
    ).rejects.toThrow(
      /allowSoftwareAdapter` must be a boolean. Received: allowSoftwareAdapter="yes"/,
    );
  });
});

describe.runIf(webGpuTests)('the webgpu engine on this machine (Dawn)', () => {
  test('lists the adapter and trains on it only when software is allowed', async () => {
    const adapters = await listWebGpuAdapters();
    expect(Array.isArray(adapters) && adapters.length).toBeGreaterThan(0);
    const info = await selectBackend({ prefer: 'webgpu', allowSoftwareAdapter: true });
    expect(info.name).toBe('webgpu');
    expect(info.adapter).toEqual((adapters as unknown[])[0]);
    expect(tf.getBackend()).toBe('webgpu');
    const y = tf.tensor1d([1, -2, 3]).relu();
    expect(Array.from(await y.data())).toEqual([1, 0, 3]);
    y.dispose();
    if (info.adapter?.software) {
      // SwiftShader here: auto must not take it.
      expect((await selectBackend({ prefer: 'wasm' })).name).toBe('wasm');
      expect((await selectBackend()).name).not.toBe('webgpu');
      await expect(selectBackend({ prefer: 'webgpu' })).rejects.toThrow(/allowSoftwareAdapter/);
    }
  });
});
