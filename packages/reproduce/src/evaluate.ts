import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BuiltModel } from '@rectifier/architectures';
import { createTestProgress } from '@rectifier/core/progress';
import { center, dense, MetricsAccumulator, type Scorer, tenView } from '@rectifier/evaluation';
import type { ProgressMode } from '@rectifier/trainer';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ProtocolFlag, RunConfig } from './config';
import { openDataset, type Split } from './datasets';
import { RunDirError, UsageError } from './errors';
import { datasetStats, preprocessOf } from './model';
import { loadRunModel } from './run';

/** What `rectifier eval --json` prints and `<run>/eval/<key>.json` holds, one per protocol. */
export const evalResultSchema = z.object({
  /** `center`, `ten-view`, `dense(i)` (the i-th scale) or `multi-scale`. */
  key: z.string(),
  protocol: z.enum(['center', 'ten-view', 'dense', 'multi-scale', 'ensemble']),
  label: z.string(),
  top1Error: z.number().min(0).max(1),
  top5Error: z.number().min(0).max(1),
  images: z.number().int().positive(),
  settings: z.record(z.string(), z.unknown()),
  runs: z.array(z.string()),
  checkpoint: z.array(z.string()),
  perClass: z.array(
    z.object({
      name: z.string(),
      top1Error: z.number().nullable(),
      top5Error: z.number().nullable(),
    }),
  ),
  wallTimeMs: z.number(),
});
export type EvalResult = z.infer<typeof evalResultSchema>;

interface Member {
  runDir: string;
  built: BuiltModel;
  config: RunConfig;
  checkpoint: string;
  classes: string[];
}

/** A scorer for each (protocol, scale) a flag names, all built (and checked) before any image. */
function scorersOf(
  m: Member,
  protocol: ProtocolFlag,
  scales: number[],
  pre: ReturnType<typeof preprocessOf>,
) {
  const { built, config: c } = m;
  if (protocol === 'center')
    return [center(built, { resize: c.resize, crop: c.crop, preprocess: pre })];
  if (protocol === 'ten-view')
    return [tenView(built, { resize: c.resize, crop: c.crop, preprocess: pre })];
  return scales.map((scale) => dense(built, { scale, crop: c.crop, preprocess: pre }));
}

/** Softmax scores of every image of `split` under `scorer`, in chunks (bounded memory). */
async function scoreAll(
  scorer: Scorer,
  split: Split,
  progress: ProgressMode,
  chunk = 32,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const bar = createTestProgress(scorer.label, split.size, { mode: progress });
  try {
    for (let start = 0; start < split.size; start += chunk) {
      const idx = Array.from({ length: Math.min(chunk, split.size - start) }, (_, i) => start + i);
      const images = await Promise.all(idx.map((i) => split.bytes(i)));
      out.push(...(await scorer.score(images)));
      bar.update(out.length);
    }
  } finally {
    bar.stop();
  }
  return out;
}

function meanScores(sets: Float32Array[][]): Float32Array[] {
  return sets[0].map((_, i) => {
    const s = new Float32Array(sets[0][i].length);
    for (const set of sets) for (let c = 0; c < s.length; c++) s[c] += set[i][c] / sets.length;
    return s;
  });
}

/**
 * What `rectifier eval` was pointed at: a run directory (with `--checkpoint`, default the last)
 * or one checkpoint file inside a run's `checkpoints/` (the run's config.json says how to
 * rebuild the net it belongs to).
 */
export function evalTarget(
  arg: string,
  checkpoint?: string,
): { runDir: string; checkpoint: string } {
  if (!existsSync(arg) || !statSync(arg).isFile()) {
    return { runDir: arg, checkpoint: checkpoint ?? 'last' };
  }
  const runDir = dirname(dirname(arg));
  if (basename(dirname(arg)) !== 'checkpoints' || !existsSync(join(runDir, 'config.json'))) {
    throw new RunDirError(
      dirname(arg),
      `${arg} is a file but not a checkpoint of a run (expected RUN_DIR/checkpoints/<name>.ckpt beside RUN_DIR/config.json); pass a run directory or one of its checkpoints`,
    );
  }
  if (checkpoint !== undefined) {
    throw new UsageError(
      `eval: ${arg} names its checkpoint already; drop --checkpoint ${checkpoint} or pass the run directory ${runDir}`,
    );
  }
  return { runDir, checkpoint: basename(arg) };
}

/**
 * Tests one run (or, with several, their ensemble: Table 7) on its validation split. `dense`
 * reports one result per scale; `multi-scale` averages those dense scores with equal weights
 * (what `multiScale` of @rectifier/evaluation computes, without running dense twice).
 */
export async function evaluateRuns(
  runDirs: string[],
  protocol: ProtocolFlag,
  options: {
    scales?: number[];
    checkpoint?: string;
    data?: string;
    valLimit?: number | null;
    /** Default `auto`: a bar on a TTY, JSON lines on stderr otherwise. */
    progress?: ProgressMode;
  } = {},
): Promise<EvalResult[]> {
  const t0 = performance.now();
  const members: Member[] = [];
  for (const arg of runDirs) {
    const { runDir, checkpoint } = evalTarget(arg, options.checkpoint);
    const m = await loadRunModel(runDir, checkpoint);
    members.push({ runDir, ...m });
  }
  const first = members[0].config;
  const classes = members[0].classes;
  for (const m of members) {
    if (m.classes.join('\n') !== classes.join('\n')) {
      throw new UsageError(
        `eval: ${m.runDir} was trained on other classes than ${members[0].runDir}; an ensemble needs one data set.`,
      );
    }
  }
  const dataPath = options.data ?? first.data;
  const data = openDataset(dataPath, {
    train: first.trainLimit,
    val: options.valLimit ?? first.valLimit,
  });
  const scales = options.scales ?? first.scales;
  // Every scorer is built (its geometry checked) before any image is read.
  const perMember: Scorer[][] = [];
  for (const m of members) {
    const pre = preprocessOf(
      await datasetStats(
        openDataset(m.config.data, { train: m.config.trainLimit, val: null }),
        m.config,
      ),
    );
    perMember.push(scorersOf(m, protocol, scales, pre));
  }
  const scoreSets: Float32Array[][][] = [];
  for (const scorers of perMember) {
    const sets = [];
    for (const s of scorers) sets.push(await scoreAll(s, data.val, options.progress ?? 'auto'));
    scoreSets.push(sets);
  }
  const labels = Array.from({ length: data.val.size }, (_, i) => data.val.label(i));
  const result = (
    key: string,
    label: string,
    scores: Float32Array[],
    settings: Record<string, unknown>,
  ): EvalResult => {
    const acc = new MetricsAccumulator(classes);
    acc.addBatch(scores, labels);
    const s = acc.summary();
    return {
      key,
      protocol: members.length > 1 ? 'ensemble' : protocol,
      label: members.length > 1 ? `ensemble(${label})` : label,
      top1Error: s.top1Error,
      top5Error: s.top5Error,
      images: s.count,
      settings: { ...settings, data: data.name, members: members.length },
      runs: members.map((m) => m.runDir),
      checkpoint: members.map((m) => m.checkpoint),
      perClass: s.perClass.map((p) => ({
        name: p.name,
        top1Error: p.top1Error,
        top5Error: p.top5Error,
      })),
      wallTimeMs: performance.now() - t0,
    };
  };
  const nScorers = perMember[0].length;
  const combined = Array.from({ length: nScorers }, (_, j) =>
    meanScores(scoreSets.map((sets) => sets[j])),
  );
  const settings0 = perMember[0].map((s) => s.settings);
  if (protocol === 'center' || protocol === 'ten-view') {
    return [result(protocol, perMember[0][0].label, combined[0], settings0[0])];
  }
  if (protocol === 'dense') {
    return combined.map((scores, j) =>
      result(`dense(${j})`, perMember[0][j].label, scores, settings0[j]),
    );
  }
  return [
    result('multi-scale', `multiScale(${scales.join(', ')})`, meanScores(combined), {
      ...settings0[0],
      protocol: 'multiScale',
      scale: undefined,
      scales,
    }),
  ];
}

/** Writes results to `<runDir>/eval/<key>.json` (one run) for reports. */
export function saveEvalResults(runDir: string, results: EvalResult[]): void {
  const dir = join(runDir, 'eval');
  mkdirSync(dir, { recursive: true });
  for (const r of results)
    writeFileSync(join(dir, `${r.key}.json`), `${JSON.stringify(r, null, 2)}\n`);
}

/**
 * Figure 2: the mean response of every activation layer (after the nonlinearity) over the
 * first `images` validation centre crops.
 */
export async function meanResponses(
  runDir: string,
  images = 64,
): Promise<{ layer: string; mean: number }[]> {
  const { built, config: c } = await loadRunModel(runDir);
  const data = openDataset(c.data, { train: c.trainLimit, val: c.valLimit });
  const pre = preprocessOf(await datasetStats(data, c));
  const scorer = center(built, { resize: c.resize, crop: c.crop, preprocess: pre });
  const acts = built.model.layers.filter((l) => /ReLU/.test(l.getClassName()));
  const probe = tf.model({
    inputs: built.model.inputs,
    outputs: acts.map((l) => l.output as tf.SymbolicTensor),
  });
  const sums = new Float64Array(acts.length);
  const n = Math.min(images, data.val.size);
  for (let i = 0; i < n; i++) {
    const x = await (scorer.views as NonNullable<Scorer['views']>)(await data.val.bytes(i));
    const means = tf.tidy(() => {
      const outs = probe.predict(x) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(outs) ? outs : [outs]).map((o) => o.mean().dataSync()[0]);
    });
    x.dispose();
    means.forEach((m, j) => {
      sums[j] += m / n;
    });
  }
  return acts.map((l, j) => ({ layer: l.name, mean: sums[j] }));
}
