import { EvaluationArgumentError } from './errors';

/** k of the top-k error the paper reports next to top-1 (Sec. 4, every table). */
export const TOP_K = 5;

/** One class among an image's highest scores. */
export interface Prediction {
  /** Class index. */
  index: number;
  /** Class name (`classes[index]`). */
  name: string;
  /** Averaged softmax score. */
  score: number;
}

/** Per-class error of a summary (the paper's per-class top-5 figure). */
export interface ClassError {
  index: number;
  name: string;
  /** Test images whose true class is this one. */
  count: number;
  /** Error rates in [0, 1]; `null` when the class has no test image. */
  top1Error: number | null;
  top5Error: number | null;
}

/** A (true class, top-1 prediction) pair of wrong answers. */
export interface ConfusedPair {
  trueIndex: number;
  trueName: string;
  predictedIndex: number;
  predictedName: string;
  /** Images of `trueIndex` whose top-1 prediction was `predictedIndex`. */
  count: number;
  /** `count` over the images of `trueIndex`. */
  rate: number;
}

/** What a `MetricsAccumulator` reports. */
export interface MetricsSummary {
  count: number;
  /** Fraction of images whose true class is not the top-scored one. */
  top1Error: number;
  /** Fraction of images whose true class is not among the five top-scored ones. */
  top5Error: number;
  /** Every class, sorted by top-5 error (highest first; ties by index; empty classes last). */
  perClass: ClassError[];
  /** The most frequent wrong (true, predicted) pairs, most frequent first. */
  confusedPairs: ConfusedPair[];
}

/**
 * The whole state of an accumulator as plain JSON: what one shard of an evaluation writes so
 * another process can `merge` it. Its size depends on the classes and on the distinct wrong
 * pairs seen (at most classes²), never on the number of images.
 */
export interface MetricsState {
  version: 1;
  classes: string[];
  count: number;
  top1Correct: number;
  top5Correct: number;
  perClassCount: number[];
  perClassTop1Correct: number[];
  perClassTop5Correct: number[];
  /** Wrong top-1 answers as [trueIndex, predictedIndex, count], sorted by indices. */
  confusions: Array<[number, number, number]>;
}

/**
 * Rank of class `label` among `scores` (0 = best) under Rectifier's tie rule: classes are ordered
 * by score, highest first, and equal scores by class index, lowest first. So
 *
 *   rank(y) = #{ j : s_j > s_y } + #{ j < y : s_j = s_y },
 *
 * and an image is top-k correct iff rank(y) < k. A true class tied with others at the k-th place
 * counts as correct only if its index is low enough to be listed in the top k; the rule is the
 * order `topPredictions` lists classes in, and does not depend on the sort algorithm.
 */
export function rankOf(scores: ArrayLike<number>, label: number): number {
  const s = scores[label];
  let rank = 0;
  for (let j = 0; j < scores.length; j++) {
    if (scores[j] > s || (j < label && scores[j] === s)) rank++;
  }
  return rank;
}

/** The `k` highest-scored classes of one image, in the tie order of `rankOf` (Figure 5's lists). */
export function topPredictions(
  scores: ArrayLike<number>,
  classes: readonly string[],
  k = TOP_K,
): Prediction[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order
    .slice(0, k)
    .map((index) => ({ index, name: classes[index] ?? String(index), score: scores[index] }));
}

/**
 * Streaming top-1 / top-5 error with per-class errors and a confusion summary. `add` one image at
 * a time (or `addBatch`); `merge` combines accumulators of disjoint shards (several processes
 * evaluating parts of a data set) into the figures of the whole, exactly: every field is a count.
 * Memory: O(classes + distinct wrong pairs), independent of the number of images.
 */
export class MetricsAccumulator {
  readonly classes: readonly string[];
  private count = 0;
  private top1Correct = 0;
  private top5Correct = 0;
  private readonly perClassCount: number[];
  private readonly perClassTop1: number[];
  private readonly perClassTop5: number[];
  /** key = trueIndex · classes + predictedIndex → count of wrong top-1 answers. */
  private readonly confusions = new Map<number, number>();

  constructor(classes: readonly string[]) {
    if (!Array.isArray(classes) || classes.length === 0) {
      throw new EvaluationArgumentError(
        `Argument \`classes\` must be a non-empty array of class names. Received: classes=${JSON.stringify(classes)}.`,
      );
    }
    this.classes = [...classes];
    this.perClassCount = new Array(classes.length).fill(0);
    this.perClassTop1 = new Array(classes.length).fill(0);
    this.perClassTop5 = new Array(classes.length).fill(0);
  }

  /** Images added so far (including merged shards). */
  get size(): number {
    return this.count;
  }

  /** Adds one image: its class scores (length = classes) and its true class index. */
  add(scores: ArrayLike<number>, label: number): void {
    const n = this.classes.length;
    if (scores.length !== n) {
      throw new EvaluationArgumentError(
        `Argument \`scores\` must have one score per class (${n}). Received: ${scores.length} scores.`,
      );
    }
    if (!Number.isInteger(label) || label < 0 || label >= n) {
      throw new EvaluationArgumentError(
        `Argument \`label\` must be a class index in [0, ${n - 1}]. Received: label=${label}.`,
      );
    }
    for (let j = 0; j < n; j++) {
      if (Number.isNaN(scores[j])) {
        throw new EvaluationArgumentError(
          `Argument \`scores\` contains NaN (class ${j}); the model diverged or its input was not finite.`,
        );
      }
    }
    const rank = rankOf(scores, label);
    this.count++;
    this.perClassCount[label]++;
    if (rank === 0) {
      this.top1Correct++;
      this.perClassTop1[label]++;
    } else {
      const predicted = topPredictions(scores, this.classes, 1)[0].index;
      const key = label * n + predicted;
      this.confusions.set(key, (this.confusions.get(key) ?? 0) + 1);
    }
    if (rank < TOP_K) {
      this.top5Correct++;
      this.perClassTop5[label]++;
    }
  }

  /** Adds several images: `scores[i]` and `labels[i]` for each i. */
  addBatch(scores: ReadonlyArray<ArrayLike<number>>, labels: ArrayLike<number>): void {
    if (scores.length !== labels.length) {
      throw new EvaluationArgumentError(
        `Arguments \`scores\` and \`labels\` must have the same length. Received: ${scores.length} and ${labels.length}.`,
      );
    }
    for (let i = 0; i < scores.length; i++) this.add(scores[i], labels[i]);
  }

  /** Adds another shard's counts (an accumulator or its `toState()`); same classes required. */
  merge(other: MetricsAccumulator | MetricsState): this {
    const state = other instanceof MetricsAccumulator ? other.toState() : other;
    if (state?.version !== 1) {
      throw new EvaluationArgumentError(
        `merge: expected a MetricsState of version 1. Received: version=${JSON.stringify(state?.version)}.`,
      );
    }
    const same =
      state.classes.length === this.classes.length &&
      state.classes.every((c, i) => c === this.classes[i]);
    if (!same) {
      throw new EvaluationArgumentError(
        `merge: the shards have different classes (${state.classes.length} vs ${this.classes.length}, ` +
          'or a different order); evaluate every shard with the same class list.',
      );
    }
    const n = this.classes.length;
    this.count += state.count;
    this.top1Correct += state.top1Correct;
    this.top5Correct += state.top5Correct;
    for (let c = 0; c < n; c++) {
      this.perClassCount[c] += state.perClassCount[c];
      this.perClassTop1[c] += state.perClassTop1Correct[c];
      this.perClassTop5[c] += state.perClassTop5Correct[c];
    }
    for (const [t, p, k] of state.confusions) {
      const key = t * n + p;
      this.confusions.set(key, (this.confusions.get(key) ?? 0) + k);
    }
    return this;
  }

  /** Plain-JSON state for `merge` / `MetricsAccumulator.fromState` in another process. */
  toState(): MetricsState {
    const n = this.classes.length;
    const confusions = [...this.confusions.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([key, k]): [number, number, number] => [Math.floor(key / n), key % n, k]);
    return {
      version: 1,
      classes: [...this.classes],
      count: this.count,
      top1Correct: this.top1Correct,
      top5Correct: this.top5Correct,
      perClassCount: [...this.perClassCount],
      perClassTop1Correct: [...this.perClassTop1],
      perClassTop5Correct: [...this.perClassTop5],
      confusions,
    };
  }

  static fromState(state: MetricsState): MetricsAccumulator {
    return new MetricsAccumulator(state.classes).merge(state);
  }

  /** Error rates, per-class errors sorted by top-5 error, and the `confusedPairs` most frequent wrong pairs. */
  summary(options: { confusedPairs?: number } = {}): MetricsSummary {
    const pairs = options.confusedPairs ?? 10;
    if (this.count === 0) {
      throw new EvaluationArgumentError(
        'summary: no image was added; add scores before asking for error rates.',
      );
    }
    const rate = (wrong: number, of: number) => (of === 0 ? null : wrong / of);
    const perClass: ClassError[] = this.classes.map((name, index) => ({
      index,
      name,
      count: this.perClassCount[index],
      top1Error: rate(
        this.perClassCount[index] - this.perClassTop1[index],
        this.perClassCount[index],
      ),
      top5Error: rate(
        this.perClassCount[index] - this.perClassTop5[index],
        this.perClassCount[index],
      ),
    }));
    perClass.sort((a, b) => {
      if (a.top5Error === null || b.top5Error === null) {
        return (a.top5Error === null ? 1 : 0) - (b.top5Error === null ? 1 : 0) || a.index - b.index;
      }
      return b.top5Error - a.top5Error || a.index - b.index;
    });
    const confusedPairs = this.toState()
      .confusions.map(([t, p, count]) => ({
        trueIndex: t,
        trueName: this.classes[t],
        predictedIndex: p,
        predictedName: this.classes[p],
        count,
        rate: count / this.perClassCount[t],
      }))
      .sort(
        (a, b) =>
          b.count - a.count || a.trueIndex - b.trueIndex || a.predictedIndex - b.predictedIndex,
      )
      .slice(0, pairs);
    return {
      count: this.count,
      top1Error: (this.count - this.top1Correct) / this.count,
      top5Error: (this.count - this.top5Correct) / this.count,
      perClass,
      confusedPairs,
    };
  }
}
