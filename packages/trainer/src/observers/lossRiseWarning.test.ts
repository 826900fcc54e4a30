import { describe, expect, it } from 'vitest';
import { train } from '../run';
import { constantSchedule } from '../schedules';
import { sgd } from '../sgd';
import { tempRunDirs } from '../testing/tempRunDirs';
import { tinyRunOptions } from '../testing/tinyRun';
import type { TrainOptions } from '../trainOptions';

const { dir } = tempRunDirs('loss-rise-');

/** Trains the tiny run at `lr` and returns its warnings and step losses. */
async function run(lr: number, extra: Partial<TrainOptions> = {}) {
  const lines: string[] = [];
  const losses: number[] = [];
  const stream = { write: (s: string) => lines.push(s) && true, isTTY: false };
  await train({
    ...tinyRunOptions({
      optimizer: sgd({ learningRate: lr }),
      schedule: constantSchedule(),
      valLoader: undefined,
      epochs: 2,
      quiet: false,
      progress: 'lines',
      progressStream: stream as never,
      hooks: { afterStep: (_, l) => losses.push(l.loss) },
      ...extra,
    }),
    runDir: dir(),
  }).catch(() => {}); // a rate this high may end in a NaN: the warning must have come first
  const warnings = lines
    .flatMap((s) => s.split('\n'))
    .filter((s) => s.includes('"warning"'))
    .map((s) => JSON.parse(s).message as string);
  return { warnings, losses };
}

describe('lossRiseWarning', () => {
  it('warns once, before step 10, when the rate is too high, naming the rate and the fix', async () => {
    const { warnings, losses } = await run(3);
    expect(warnings).toHaveLength(1);
    const step = Number(/at step (\d+)/.exec(warnings[0])?.[1]);
    expect(step).toBeLessThan(10);
    // The warned step's loss is above 3× the mean of the steps before it (at most 3), as the
    // message says; no earlier step was.
    const startOf = (k: number) => {
      const before = losses.slice(0, Math.min(3, k - 1));
      return before.reduce((a, b) => a + b, 0) / before.length;
    };
    expect(losses[step - 1]).toBeGreaterThan(3 * startOf(step));
    expect(warnings[0]).toContain(`its start (${startOf(step).toPrecision(3)},`);
    for (let k = 2; k < step; k++) expect(losses[k - 1]).toBeLessThanOrEqual(3 * startOf(k));
    expect(warnings[0]).toMatch(/learning rate 3:.*lower the optimizer's learningRate/);
  });

  it('never warns on a healthy run', async () => {
    const { warnings, losses } = await run(0.05);
    expect(losses).toHaveLength(12);
    expect(Math.max(...losses.slice(3))).toBeLessThan(losses[0] * 3);
    expect(warnings).toEqual([]);
  });

  it('is off with lossRise: false and says the caller hint', async () => {
    expect((await run(3, { lossRise: false })).warnings).toEqual([]);
    const { warnings } = await run(3, { lossRise: { hint: 'use --lr 0.3' } });
    expect(warnings[0]).toMatch(/; use --lr 0\.3\.$/);
  });

  it('checks its option by name and value', async () => {
    await expect(
      train({ ...tinyRunOptions({ lossRise: { factr: 3 } as never }), runDir: dir() }),
    ).rejects.toThrow(/unknown option `factr`; did you mean `factor`/);
    await expect(
      train({ ...tinyRunOptions({ lossRise: { factor: 1 } }), runDir: dir() }),
    ).rejects.toThrow(/`factor` must be a number > 1\. Received: factor=1/);
  });
});
