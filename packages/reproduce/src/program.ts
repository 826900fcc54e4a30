import { RectifierArgumentError, RectifierError } from '@rectifier/core';
import { Command, CommanderError } from 'commander';
import { version } from '../package.json'; // inlined by the build
import { cliWording } from './cliWording';
import { evalCommand } from './commands/eval';
import { exportCommand } from './commands/export';
import { infoCommand } from './commands/info';
import { defaultIo, type Io, printJson } from './commands/io';
import { reportCommand } from './commands/report';
import { reproduceCommand } from './commands/reproduce';
import { resumeCommand } from './commands/resume';
import { statsCommand } from './commands/stats';
import { summaryCommand } from './commands/summary';
import { trainCommand } from './commands/train';
import { InterruptedError, ReproduceError } from './errors';

export type { Io } from './commands/io';

/** Builds the `rectifier` command tree; `io` receives stdout/stderr text. */
export function buildProgram(io: Io = defaultIo): Command {
  const program = new Command('rectifier')
    .description(
      'Reproduce "Delving Deep into Rectifiers" (He et al. 2015): train, test, export and report PReLU nets.',
    )
    .version(version, '-V, --version', 'print the version of @rectifier/reproduce')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  for (const add of [
    infoCommand,
    summaryCommand,
    trainCommand,
    resumeCommand,
    evalCommand,
    exportCommand,
    statsCommand,
    reproduceCommand,
    reportCommand,
  ]) {
    add(program, io);
  }
  return program;
}

/**
 * The exit code of an error: 2 for the caller's mistake — any `RectifierArgumentError` of any
 * package, the app's own usage errors —, 130 for a run stopped by Ctrl-C (128 + SIGINT, as
 * shells report it), and 1 for everything else (a failure, not a usage error).
 */
export function exitCodeOf(err: unknown): 1 | 2 | 130 {
  if (err instanceof InterruptedError) return 130;
  if (err instanceof RectifierArgumentError) return 2;
  if (err instanceof ReproduceError) return err.exitCode;
  return 1;
}

/** The run directory an error of the trainer names (`RunDirectoryError.runDir`), if any. */
function runDirOf(err: unknown): string | undefined {
  const dir = (err as { runDir?: unknown }).runDir;
  return typeof dir === 'string' ? dir : undefined;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code: 0 success,
 * 1 failure, 2 bad usage. With --json, an error is also printed as `{ "error": … }` on stdout.
 */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = buildProgram(io);
  const wantsJson = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.exitCode === 0
      )
        return 0;
      if (wantsJson)
        printJson(io, { error: { name: 'UsageError', message: err.message, exitCode: 2 } });
      return 2;
    }
    const e = err as Error;
    const code = exitCodeOf(err);
    // An interruption is not an error to report: its message is the `rectifier resume` line.
    const prefix =
      err instanceof InterruptedError ? '' : `${e.name === 'UsageError' ? 'error' : e.name}: `;
    const message =
      err instanceof RectifierError ? cliWording(e.message, runDirOf(err)) : e.message;
    io.err(`${prefix}${message}\n`);
    if (wantsJson) printJson(io, { error: { name: e.name, message, exitCode: code } });
    return code;
  }
}
