import type { Command } from 'commander';

/** Where the CLI writes: replaced in tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Prints `value` as the only stdout of a `--json` command. */
export const printJson = (io: Io, value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);

/** Adds the `Example:` block every command's `--help` ends with. */
export const withExample = (cmd: Command, text: string): Command =>
  cmd.addHelpText('after', `\nExample:\n  ${text}\n`);
