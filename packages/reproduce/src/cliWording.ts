/**
 * The packages' errors name their library calls (`resume(runDir, options)`, `train()`): right
 * for a library user, a dead end for someone at the command line. When the CLI is the caller,
 * those phrases become the commands that do the same.
 */
const phrases: [RegExp, (dir: string) => string][] = [
  // Messages that name both keep only the command's flag.
  [
    /the `timeoutMs` option of train\(\) and resume\(\) \((`--collective-timeout [^)]*)\)/g,
    () => '$1',
  ],
  [/\bresume\(runDir, options\)/g, (dir) => `\`rectifier resume ${dir}\``],
  [/\btrain\(\) in a new runDir\b/g, () => '`rectifier train --run-dir NEW_DIR`'],
  [/\bthe runDir a train\(\) call wrote\b/g, () => 'a run directory `rectifier train` wrote'],
  [/\btrain\(\)( call)?/g, () => '`rectifier train`'],
  [/\bresume\(\)/g, () => '`rectifier resume`'],
  [/\bresume the run\b/g, (dir) => `run \`rectifier resume ${dir}\``],
  [/\bevaluate\(\)/g, () => '`rectifier eval`'],
  [/\b(a )?new runDir\b/g, () => 'a new --run-dir'],
  [/\brunDir\b/g, () => 'run directory'],
];

/** `message` with library calls replaced by the `rectifier` commands (`dir`: the run directory). */
export function cliWording(message: string, dir = 'RUN_DIR'): string {
  return phrases.reduce((m, [re, to]) => m.replace(re, to(dir)), message);
}
