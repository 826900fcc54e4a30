import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BuiltModel } from '@rectifier/architectures';
import { RectifierError } from '@rectifier/core';
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
import { checkScalesFit } from './inputSizes';
import { preprocessOf } from './model';
import { identityOf, type ResultIdentity, resultIdentitySchema } from './resultIdentity';
import { loadRunModel, runStats } from './run';

/** Results written before the app used @rectifier/evaluation's names said `ten-view`, `multi-scale`. */
const protocolOfStored = (v: unknown) =>
  typeof v === 'string' && v in protocolFlags ? protocolFlags[v as ProtocolFlag] : v;

/** What `rectifier eval --json` prints and `<run>/eval/` stores (see `storedResults`), one per protocol and scale. */
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
  /**
   * What determined the number (protocol, scales, data, val limit, checkpoints); it names the
   * stored file. Absent only in files written before results were keyed: reports ignore those.
   */
  identity: resultIdentitySchema.optional(),
});
export type EvalResult = z.infer<typeof evalResultSchema>;

interface Member {
  runDir: string;
  built: BuiltModel;
  config: RunConfig;
  checkpoint: string;
  step: number;
  fingerprint: string;
  classes: string[];
}

/** One result the app reports: its key, its scales and the scorer (of each member) that gives it. */
interface Slot {
  key: string;
  scales: number[];
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
): { key: string; scales: number[]; scorer: Scorer }[] {
  const { built, config: c } = m;
  const name = protocolFlags[protocol];
  if (name === 'center' || name === 'tenView') {
    const make = name === 'center' ? center : tenView;
    return [
      {
        key: protocol,
        scales: [],
        scorer: make(built, { resize: c.resize, crop: c.crop, preprocess: pre }),
      },
    ];
  }
  const ms = multiScale(built, { scales, crop: c.crop, preprocess: pre });
  if (name === 'multiScale') return [{ key: protocol, scales, scorer: ms }];
  // multiScale's parts run smallest scale first; the keys follow the order the user gave.
  return scales.map((scale, i) => ({
    key: `dense(${i})`,
    scales: [scale],
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
  const valLimit = options.valLimit ?? first.valLimit;
  const data = openDataset(dataPath, { train: first.trainLimit, val: valLimit });
  const scales = options.scales ?? first.scales;
  // Every scorer is built (its geometry checked) before any image is read.
  const slots: Slot[] = [];
  for (const m of members) {
    // The statistics the run recorded when it trained, never the machine-local cache.
    const pre = preprocessOf(await runStats(m.runDir), m.config.inputScale);
    scorersOf(m, protocol, scales, pre).forEach(({ key, scales, scorer }, j) => {
      slots[j] ??= { key, scales, scorers: [] };
      slots[j].scorers.push(scorer);
    });
  }
  // Scales are checked against the engine's memory after the scorers' own geometry checks.
  if (protocol === 'dense' || protocol === 'multi-scale') {
    for (const m of members) checkScalesFit(m.built, scales);
  }
  const scorers = slots.map((s) => (s.scorers.length > 1 ? ensemble(s.scorers) : s.scorers[0]));
  const progress = options.progress ?? 'auto';
  const results = await evaluateAll(scorers, splitSource(data.val, classes), {
    batchSize: 32,
    progress: progress === 'lines' ? 'json' : progress,
  });
  const shared = {
    data: { path: dataPath, contentKey: data.val.contentKey() },
    valLimit,
    checkpoints: members.map((m) => ({
      name: m.checkpoint,
      step: m.step,
      fingerprint: m.fingerprint,
    })),
  };
  return results.map((r, j) =>
    render(r, slots[j], members, data.name, identityOf(protocol, slots[j].scales, shared), t0),
  );
}

/** An evaluation result as the app stores and prints it. */
function render(
  r: EvaluationResult,
  slot: Slot,
  members: Member[],
  dataName: string,
  identity: ResultIdentity,
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
    identity,
  };
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
  const pre = preprocessOf(await runStats(runDir), c.inputScale);
  const scorer = center(built, { resize: c.resize, crop: c.crop, preprocess: pre });
  // The model is input → trunk → head (nested models): an inner layer's output belongs to its
  // part's graph, so each part gets its own probe, fed with the previous part's output.
  const parts = [built.trunk, built.head].map((part) => {
    const acts = part.layers.filter((l) => /ReLU/.test(l.getClassName()));
    const outputs = acts.map((l) => l.output as tf.SymbolicTensor);
    // tfjs returns null for an output listed twice: the part's output may be its last rectifier's.
    let last = outputs.indexOf(part.outputs[0]);
    if (last < 0) last = outputs.push(part.outputs[0]) - 1;
    return { acts, last, probe: tf.model({ inputs: part.inputs, outputs }) };
  });
  const acts = parts.flatMap((p) => p.acts);
  if (acts.length === 0) {
    throw new RectifierError(
      `${runDir}: the model has no ReLU/LReLU/PReLU layers, so it has no mean responses to measure (Figure 2 needs a rectified model).`,
    );
  }
  const sums = new Float64Array(acts.length);
  const n = Math.min(images, data.val.size);
  for (let i = 0; i < n; i++) {
    const x = await (scorer.views as NonNullable<Scorer['views']>)(await data.val.bytes(i));
    const stacked = tf.tidy(() => {
      const means: tf.Tensor[] = [];
      let input: tf.Tensor = x;
      for (const { acts, last, probe } of parts) {
        const outs = [probe.predict(input)].flat() as tf.Tensor[];
        means.push(...outs.slice(0, acts.length).map((o) => o.mean()));
        input = outs[last];
      }
      return tf.stack(means);
    });
    x.dispose();
    const means = await stacked.data();
    stacked.dispose();
    means.forEach((m, j) => {
      sums[j] += m / n;
    });
  }
  return acts.map((l, j) => ({ layer: l.name, mean: sums[j] }));
}
