#!/usr/bin/env node
import { runCli } from './program';

// `rectifier info | head -1`: once the reader closes the pipe, further writes fail with EPIPE.
// That is the reader saying "enough", not an error: stop quietly instead of a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
