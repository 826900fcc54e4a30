import { describe, expect, it } from 'vitest';
import { EvaluationArgumentError } from './errors';
import { MetricsAccumulator, rankOf, topPredictions } from './metrics';

const classes = ['a', 'b', 'c', 'd', 'e', 'f'];
const even = [1, 1, 1, 1, 1, 1].map((x) => x / 6);

// Hand-worked example (six classes, so top-5 can miss). Tie rule: equal scores are ordered by
// class index, lowest first; rank(y) = #{s_j > s_y} + #{j < y, s_j = s_y}.
const images: Array<{ scores: number[]; label: number; rank: number }> = [
  { scores: [0.5, 0.1, 0.1, 0.1, 0.1, 0.1], label: 0, rank: 0 },
  { scores: even, label: 5, rank: 5 }, // six-way tie, class 5 listed last: top-5 miss
  { scores: even, label: 4, rank: 4 }, // same tie, class 4 is fifth: top-5 hit
  { scores: [0.3, 0.3, 0.1, 0.1, 0.1, 0.1], label: 1, rank: 1 }, // tie with 0, 0 listed first
  { scores: [0.3, 0.3, 0.1, 0.1, 0.1, 0.1], label: 0, rank: 0 },
  { scores: [0.05, 0.3, 0.05, 0.2, 0.2, 0.2], label: 2, rank: 5 }, // 4 higher + class 0 tied
  { scores: [0, 0, 0, 1, 0, 0], label: 3, rank: 0 },
  { scores: [0.6, 0, 0, 0, 0, 0.4], label: 5, rank: 1 },
];

function accumulate(list: typeof images): MetricsAccumulator {
  const m = new MetricsAccumulator(classes);
  for (const { scores, label } of list) m.add(scores, label);
  return m;
}

describe('rankOf / topPredictions', () => {
  it('ranks by the documented tie rule', () => {
    for (const { scores, label, rank } of images) expect(rankOf(scores, label)).toBe(rank);
  });

  it('lists ties by class index, lowest first', () => {
    expect(topPredictions(even, classes, 5).map((p) => p.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(topPredictions([0.05, 0.3, 0.05, 0.2, 0.2, 0.2], classes, 3)).toEqual([
      { index: 1, name: 'b', score: 0.3 },
      { index: 3, name: 'd', score: 0.2 },
      { index: 4, name: 'e', score: 0.2 },
    ]);
  });

  it('agrees with topPredictions on random scores with many ties', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let t = 0; t < 500; t++) {
      const scores = Array.from({ length: 8 }, () => Math.floor(next() * 3)); // values 0, 1, 2
      const label = Math.floor(next() * 8);
      const listed = topPredictions(scores, [], 5).some((p) => p.index === label);
      expect(rankOf(scores, label) < 5).toBe(listed);
    }
  });
});

describe('MetricsAccumulator', () => {
  it('matches the hand-computed example', () => {
    const s = accumulate(images).summary();
    expect(s.count).toBe(8);
    expect(s.top1Error).toBe(5 / 8); // right at rank 0: images 1, 5, 7
    expect(s.top5Error).toBe(2 / 8); // rank ≥ 5: images 2, 6
    expect(s.perClass.map((c) => [c.name, c.count, c.top1Error, c.top5Error])).toEqual([
      ['c', 1, 1, 1],
      ['f', 2, 1, 0.5],
      ['a', 2, 0, 0],
      ['b', 1, 1, 0],
      ['d', 1, 0, 0],
      ['e', 1, 1, 0],
    ]);
    expect(s.confusedPairs.map((p) => [p.trueName, p.predictedName, p.count, p.rate])).toEqual([
      ['f', 'a', 2, 1],
      ['b', 'a', 1, 1],
      ['c', 'b', 1, 1],
      ['e', 'a', 1, 1],
    ]);
    expect(accumulate(images).summary({ confusedPairs: 1 }).confusedPairs).toHaveLength(1);
  });

  it('merges shards into the figures of the whole, through JSON', () => {
    const whole = accumulate(images).toState();
    const a = accumulate(images.slice(0, 3));
    const b = MetricsAccumulator.fromState(
      JSON.parse(JSON.stringify(accumulate(images.slice(3)).toState())),
    );
    expect(a.merge(b).toState()).toEqual(whole);
    expect(
      accumulate(images.slice(3))
        .merge(accumulate(images.slice(0, 3)))
        .toState(),
    ).toEqual(whole);
    expect(accumulate(images).size).toBe(8);
  });

  it('puts classes without images last, with null errors', () => {
    const m = new MetricsAccumulator(classes);
    m.add([0, 1, 0, 0, 0, 0], 0);
    const s = m.summary();
    expect(s.perClass[0]).toEqual({ index: 0, name: 'a', count: 1, top1Error: 1, top5Error: 0 });
    expect(s.perClass.slice(1).map((c) => [c.index, c.top5Error])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, null],
      [5, null],
    ]);
  });

  it('rejects bad scores, labels and shards with messages that say the fix', () => {
    const m = new MetricsAccumulator(classes);
    expect(() => m.add([1, 2], 0)).toThrow(/one score per class \(6\)\. Received: 2 scores/);
    expect(() => m.add(even, 6)).toThrow(/label=6/);
    expect(() => m.add([Number.NaN, 0, 0, 0, 0, 0], 0)).toThrow(/NaN \(class 0\)/);
    expect(() => m.addBatch([even], [0, 1])).toThrow(EvaluationArgumentError);
    expect(() => m.merge(new MetricsAccumulator(['x']))).toThrow(/different classes/);
    expect(() => m.summary()).toThrow(/no image was added/);
    expect(() => new MetricsAccumulator([])).toThrow(/classes=\[\]/);
  });
});
