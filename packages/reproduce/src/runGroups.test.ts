import { expect, it } from 'vitest';
import { groupRuns } from './runGroups';
import { record, result } from './testing/records';

const relu = (seed: number, more: object = {}) =>
  record({ experiment: 'table2', variant: 'relu', activation: 'relu', seed, ...more }, [
    result('ten-view', 0.3, 0.1),
  ]);

it('seeds of one config pool; the backend and threads a run used do not split them', () => {
  const { groups, warnings } = groupRuns([
    relu(1, { backend: 'wasm' }),
    relu(0, { backend: 'tensorflow', threads: 2 }),
  ]);
  expect(groups).toHaveLength(1);
  expect(groups[0].runs.map((r) => r.config.seed)).toEqual([0, 1]);
  expect(groups[0].label).toBe('relu');
  expect(warnings).toEqual([]);
});

it('a bundled-subset run and a full-data run are two groups, labelled by what differs', () => {
  const { groups, warnings } = groupRuns([relu(0, { trainLimit: 256 }), relu(1)]);
  expect(groups.map((g) => g.label)).toEqual(['relu [trainLimit 256]', 'relu [trainLimit null]']);
  expect(warnings).toEqual([
    'runs of relu differ in trainLimit: reported as 2 separate rows, never averaged.',
  ]);
  // The data set's name counts too: same config keys, another folder behind `data`.
  const other = { ...relu(1), dataName: 'ImageFolder /data/other' };
  expect(groupRuns([relu(0), other]).groups).toHaveLength(2);
  // So does any setting of the training, e.g. a flag that changed the step count.
  expect(groupRuns([relu(0), relu(1, { maxSteps: 7 })]).groups).toHaveLength(2);
});

it('two runs of the same seed count once, with a warning naming both', () => {
  const a = relu(0);
  const b = { ...relu(0), dir: 'elsewhere/seed-0' };
  const { groups, warnings } = groupRuns([a, b, relu(1)]);
  expect(groups[0].runs.map((r) => r.dir)).toEqual([a.dir, 'runs/table2/relu/seed-1']);
  expect(warnings).toEqual([
    `elsewhere/seed-0 repeats ${a.dir} (same config, seed 0): counted once, from ${a.dir}.`,
  ]);
});
