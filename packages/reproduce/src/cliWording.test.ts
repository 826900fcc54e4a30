import { describe, expect, it } from 'vitest';
import { cliWording } from './cliWording';

describe('cliWording', () => {
  it("rewords the trainer's library calls as the rectifier commands", () => {
    const cases: [string, string][] = [
      [
        'This directory already holds this run: continue it with resume(runDir, options), or choose a new runDir',
        'This directory already holds this run: continue it with `rectifier resume runs/a`, or choose a new --run-dir',
      ],
      [
        'No usable checkpoint in checkpoints/ (…); start the run again with train() in a new runDir',
        'No usable checkpoint in checkpoints/ (…); start the run again with `rectifier train --run-dir NEW_DIR`',
      ],
      [
        'summary.json is not valid JSON (9 bytes); remove it and resume the run to write it again',
        'summary.json is not valid JSON (9 bytes); remove it and run `rectifier resume runs/a` to write it again',
      ],
      [
        'raise the timeout: the `timeoutMs` option of train() and resume() (`--collective-timeout SECONDS` of `rectifier train` and `rectifier resume`)',
        'raise the timeout: `--collective-timeout SECONDS` of `rectifier train` and `rectifier resume`',
      ],
    ];
    for (const [library, cli] of cases) expect(cliWording(library, 'runs/a')).toBe(cli);
  });

  it('leaves messages without library calls alone', () => {
    const m = 'checkpoints is a file, not a directory; move it away';
    expect(cliWording(m, 'runs/a')).toBe(m);
  });
});
