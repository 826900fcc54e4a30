import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

// Shared by every package: each package's vitest.config.ts re-exports this file.
// The custom condition makes `@rectifier/*` imports resolve to their `src/index.ts`,
// so tests never wait for (or silently run against a stale) tsup build.
const conditions = ['@rectifier/source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@rectifier/source'] } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CI collects one JSON report per package to print a single closing count.
    reporters: process.env.RECTIFIER_TEST_RESULTS
      ? [
          'default',
          [
            'json',
            { outputFile: `${process.env.RECTIFIER_TEST_RESULTS}/${basename(process.cwd())}.json` },
          ],
        ]
      : ['default'],
  },
});
