#!/usr/bin/env node
// The `rectifier` command. npm links a workspace's bin during `npm install`, before the build
// writes dist/, and skips a bin whose file is missing — so this small committed file is the bin,
// and it loads the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
const notBuilt = (what) => {
  process.stderr.write(
    `rectifier: ${what}. The CLI runs from the build: run \`npm run build\` in the repository root (npm install runs it too), then try again.\n`,
  );
  process.exit(1);
};

if (!existsSync(cli)) notBuilt('the CLI is not built yet (no dist/cli.js)');
try {
  await import(cli.href);
} catch (error) {
  // A workspace package the CLI imports that has not been built yet (its dist/ is missing).
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && /[\\/]dist[\\/]/.test(String(error.message))) {
    notBuilt(`a package it needs is not built (${error.message})`);
  }
  throw error;
}
