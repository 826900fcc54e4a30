import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { oneDnnTests } from '../testing/oneDnnTests';
import { engineSpinCount, openMpDefaults } from './openMpWait';

const packageDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

describe('the engine threads’ spin before sleeping', () => {
  test('set unless the user chose a spin count or a wait policy', () => {
    expect(openMpDefaults({})).toEqual({ GOMP_SPINCOUNT: String(engineSpinCount) });
    expect(openMpDefaults({ GOMP_SPINCOUNT: '300000' })).toEqual({});
    expect(openMpDefaults({ OMP_WAIT_POLICY: 'active' })).toEqual({});
  });

  // libgomp prints the values it read at load (OMP_DISPLAY_ENV), so this sees what it uses.
  const loadIn = async (env: Record<string, string>) => {
    const { GOMP_SPINCOUNT: _, OMP_WAIT_POLICY: __, ...inherited } = process.env;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@rectifier/source',
        '--input-type=module',
        '-e',
        `import { selectBackend } from './src/index.ts';
         await selectBackend({ prefer: 'onednn', threads: 2 });
         console.log(JSON.stringify(process.env.GOMP_SPINCOUNT ?? null));`,
      ],
      { cwd: packageDir, env: { ...inherited, ...env, OMP_DISPLAY_ENV: 'verbose' } },
    );
    return { spin: stderr.match(/GOMP_SPINCOUNT = '(\d+)'/)?.[1], left: JSON.parse(stdout) };
  };

  test.runIf(oneDnnTests)(
    'libgomp reads it when the addon loads; the environment is left as it was',
    async () => {
      expect(await loadIn({})).toEqual({ spin: String(engineSpinCount), left: null });
      expect(await loadIn({ GOMP_SPINCOUNT: '5000' })).toEqual({ spin: '5000', left: '5000' });
    },
  );
});
