import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BuiltModel } from '@rectifier/architectures';
import {
  center,
  dense,
  type EvaluationResult,
  type EvaluationSource,
  ensemble,
  evaluateAll,
  multiScale,
  protocolNames,
  type Scorer,
  tenView,
} from '@rectifier/evaluation';
import type { ProgressMode } from '@rectifier/trainer';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { type ProtocolFlag, protocolFlags, type RunConfig } from './config';
import { openDataset, type Split } from './datasets';
import { RunDirError, UsageError } from './errors';
import { datasetStats, preprocessOf } from './model';
import { loadRunModel } from './run';

/** Results written before the app used @rectifier/evaluation's names said `ten-view`, `multi-scale`. */
const protocolOfStored = (v: unknown) =>
  typeof v === 'string' && v in protocolFlags ? protocolFlags[v as ProtocolFlag] : v;

/** What `rectifier eval --json` prints and `<run>/eval/<key>.json` holds, one per protocol. */
export const evalResultSchema = z.object({
  /** `center`, `ten-view`, `dense(i)` (the i-th scale) or `multi-scale`: the flag spelling. */
  key: z.string(),
  /** @rectifier/evaluation's protocol name (`tenView`, `multiScale`, …, `ensemble`). */
  protocol: z.preprocess(protocolOfStored, z.enum(protocolNames)),
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

/** One result the app reports: its file key and the scorer (of each member) that gives it. */
interface Slot {
  key: string;
  scorers: Scorer[];
}

/**
 * The scorers a flag names for one member, all built (and checked) before any image: `dense`
 * is one result per scale, in the order given; `multi-scale` their mean.
 */
function scorersOf(
  m: Member,
  protocol: ProtocolFlag,
  scales: number[],
  pre: ReturnType<typeof preprocessOf>,
): { key: string; scorer: Scorer }[] {
  const { built, config: c } = m;
  const name = protocolFlags[protocol];
  if (name === 'center' || name === 'tenView') {
    const make = name === 'center' ? center : tenView;
    return [
      { key: protocol, scorer: make(built, { resize: c.resize, crop: c.crop, preprocess: pre }) },
    ];
  }
  const ms = multiScale(built, { scales, crop: c.crop, preprocess: pre });
  if (name === 'multiScale') return [{ key: protocol, scorer: ms }];
  // multiScale's parts run smallest scale first; the keys follow the order the user gave.
  return scales.map((scale, i) => ({
    key: `dense(${i})`,
    scorer:
      ms.parts.find((p) => p.settings.scale === scale) ??
      dense(built, { scale, crop: c.crop, preprocess: pre }),
  }));
}

/** A split of the app's data set as an evaluation source (32 images read side by side). */
function splitSource(split: Split, classes: string[], chunk = 32): EvaluationSource {
  return {
    classes,
    total: split.size,
    images: (async function* () {
      for (let start = 0; start < split.size; start += chunk) {
        const idx = Array.from(
          { length: Math.min(chunk, split.size - start) },
          (_, i) => start + i,
        );
        const bytes = await Promise.all(idx.map((i) => split.bytes(i)));
        for (const [j, i] of idx.entries()) {
          yield { bytes: bytes[j], label: split.label(i), path: split.describe(i) };
        }
      }
    })(),
  };
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
 * Tests one run (or, with several, their ensemble: Table 7) on its validation split with
 * @rectifier/evaluation: `dense` reports one result per scale; `multi-scale` the mean of those
 * dense scores; several runs, the `ensemble` of their scorers. Every result comes from one
 * `evaluateAll` pass, so each model runs once per scale and image; the app only renders.
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
  const slots: Slot[] = [];
  for (const m of members) {
    const pre = preprocessOf(
      await datasetStats(
        openDataset(m.config.data, { train: m.config.trainLimit, val: null }),
        m.config,
      ),
      m.config.inputScale,
    );
    scorersOf(m, protocol, scales, pre).forEach(({ key, scorer }, j) => {
      slots[j] ??= { key, scorers: [] };
      slots[j].scorers.push(scorer);
    });
  }
  const scorers = slots.map((s) => (s.scorers.length > 1 ? ensemble(s.scorers) : s.scorers[0]));
  const progress = options.progress ?? 'auto';
  const results = await evaluateAll(scorers, splitSource(data.val, classes), {
    batchSize: 32,
    progress: progress === 'lines' ? 'json' : progress,
  });
  return results.map((r, j) => render(r, slots[j], members, data.name, t0));
}

/** An evaluation result as the app stores and prints it. */
function render(
  r: EvaluationResult,
  slot: Slot,
  members: Member[],
  dataName: string,
  t0: number,
): EvalResult {
  const one = slot.scorers[0];
  return {
    key: slot.key,
    protocol: r.protocol,
    // An ensemble is labelled and described by its members' protocol (they share it).
    label: members.length > 1 ? `ensemble(${one.label})` : r.label,
    top1Error: r.top1Error,
    top5Error: r.top5Error,
    images: r.count,
    settings: { ...one.settings, data: dataName, members: members.length },
    runs: members.map((m) => m.runDir),
    checkpoint: members.map((m) => m.checkpoint),
    perClass: r.perClass.map((p) => ({
      name: p.name,
      top1Error: p.top1Error,
      top5Error: p.top5Error,
    })),
    wallTimeMs: performance.now() - t0,
  };
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
  const pre = preprocessOf(await datasetStats(data, c), c.inputScale);
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
