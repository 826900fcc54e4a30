import { join } from 'node:path';
import type { ProtocolFlag, RunConfig } from './config';
import { openDataset } from './datasets';
import {
  type ExperimentOptions,
  experimentConfigs,
  imagenetPlaceholder,
  resolveExperiment,
  runsBase,
} from './reproduce';

/** ILSVRC-2012's split sizes (Sec. 4: "about 1.2 million training images, 50,000 validation"). */
export const ilsvrc2012Sizes = { train: 1_281_167, val: 50_000 } as const;

/** One test of a run: the protocol, its scales (dense ones) and image passes per test image. */
export interface PlannedTest {
  protocol: ProtocolFlag;
  /** Shorter sides of the dense passes; null for the crop protocols (at `resize`). */
  scales: number[] | null;
  /** Forward passes per test image: 1 centre crop, 10 views, or whole images × 2 flips per scale. */
  views: number;
}

/** Images a run processes: training samples, per-epoch validation crops, test passes. */
export interface PlannedImages {
  train: number;
  validation: number;
  test: number;
  total: number;
}

export interface PlannedRun {
  variant: string;
  seed: number;
  runDir: string;
  /** The resolved config exactly as the run directory would store it (`run.meta.rectifier`). */
  config: RunConfig;
  tests: PlannedTest[];
  images: PlannedImages;
}

export interface Plan {
  experiment: string;
  scale: 'cpu' | 'paper';
  /**
   * The experiment whose runs these are (`runsOf`: Table 1 and Figure 2 read Table 2's), or null
   * when the experiment trains its own. Shared runs are trained once: planning both
   * experiments, count their training images once.
   */
  sharedWith: string | null;
  /** Where the report goes: `<out>/<experiment>-<scale>` (the runs' folder, unless shared). */
  reportDir: string;
  /** The data set and the split sizes the estimates use. */
  data: { name: string; train: number; val: number; assumed: boolean };
  runs: PlannedRun[];
  /** Table 7: the members scored together once per seed, and the images that takes. */
  ensembles: { seed: number; members: string[]; tests: PlannedTest[]; images: number }[];
  /** Every run's and ensemble's images together. */
  images: number;
}

function testsOf(protocols: ProtocolFlag[], c: RunConfig): PlannedTest[] {
  return protocols.map((protocol) => {
    if (protocol === 'center') return { protocol, scales: null, views: 1 };
    if (protocol === 'ten-view') return { protocol, scales: null, views: 10 };
    // Dense and multi-scale run the whole image and its flip at every scale.
    return { protocol, scales: c.scales, views: 2 * c.scales.length };
  });
}

/** Split sizes of a config's data: opened when it exists, ILSVRC-2012's when it is the placeholder. */
function sizesOf(c: RunConfig): Plan['data'] {
  const limited = (n: number, limit: number | null) => Math.min(n, limit ?? n);
  if (c.data === imagenetPlaceholder) {
    return {
      name: `${imagenetPlaceholder} (ILSVRC-2012 sizes assumed)`,
      train: limited(ilsvrc2012Sizes.train, c.trainLimit),
      val: limited(ilsvrc2012Sizes.val, c.valLimit),
      assumed: true,
    };
  }
  const d = openDataset(c.data, { train: c.trainLimit, val: c.valLimit });
  return { name: d.name, train: d.train.size, val: d.val.size, assumed: false };
}

function imagesOf(c: RunConfig, tests: PlannedTest[], data: Plan['data']): PlannedImages {
  const full = data.train * c.epochs;
  const train = c.maxSteps === null ? full : Math.min(full, c.maxSteps * c.batchSize);
  const stepsPerEpoch = Math.ceil(data.train / c.batchSize);
  // `--max-steps` keeps whole (possibly shortened) epochs, at least one (model.ts epochsOf).
  const epochs =
    c.maxSteps === null
      ? c.epochs
      : Math.max(1, Math.min(c.epochs, Math.floor(c.maxSteps / stepsPerEpoch)));
  const validation = c.valEveryEpoch || c.schedule.kind === 'plateau' ? data.val * epochs : 0;
  const test = tests.reduce((n, t) => n + data.val * t.views, 0);
  return { train, validation, test, total: train + validation + test };
}

/**
 * Every run `rectifier reproduce <name> --scale <scale>` would make, resolved as it would be
 * stored, with its tests and the images it would process. Trains nothing, writes nothing. At
 * paper scale without `--data` the configs name `<your ImageNet>` and ILSVRC-2012's sizes.
 */
export function planExperiment(name: string, options: ExperimentOptions = {}): Plan {
  const { e, scale, seeds } = resolveExperiment(name, options);
  const configs = experimentConfigs(e, scale, seeds, options.overrides, true);
  const data = sizesOf(configs[0]);
  const base = runsBase(e, scale, options.out);
  const runs = configs.map((c) => {
    const tests = testsOf(e.protocols, c);
    return {
      variant: c.variant,
      seed: c.seed,
      runDir: join(base, c.variant, `seed-${c.seed}`),
      config: c,
      tests,
      images: imagesOf(c, tests, data),
    };
  });
  const ensembles: Plan['ensembles'] = [];
  if (e.ensemble) {
    for (let s = 0; s < seeds; s++) {
      const members = runs.filter((r) => r.seed === s);
      const tests = members[0].tests;
      const images = members.length * tests.reduce((n, t) => n + data.val * t.views, 0);
      ensembles.push({ seed: s, members: members.map((r) => r.variant), tests, images });
    }
  }
  const images =
    runs.reduce((n, r) => n + r.images.total, 0) + ensembles.reduce((n, x) => n + x.images, 0);
  return {
    experiment: e.name,
    scale,
    sharedWith: e.runsOf ?? null,
    reportDir: join(options.out ?? 'runs', `${e.name}-${scale}`),
    data,
    runs,
    ensembles,
    images,
  };
}

const count = (n: number) => n.toLocaleString('en-US');

function describeTests(tests: PlannedTest[]): string {
  return tests
    .map((t) =>
      t.scales === null
        ? `${t.protocol} (${t.views} view${t.views > 1 ? 's' : ''})`
        : `${t.protocol} at ${t.scales.join(', ')} (${t.views} passes)`,
    )
    .join('; ');
}

/** The plan as text: one block per run, its config as the run directory would store it. */
export function formatPlan(p: Plan): string {
  const lines = [
    `${p.experiment} at ${p.scale} scale: ${p.runs.length} run(s) on ${p.data.name}: ${count(p.data.train)} train / ${count(p.data.val)} test images. Nothing is trained or written.`,
  ];
  if (p.sharedWith !== null) {
    const train = p.runs.reduce((n, r) => n + r.images.train, 0);
    lines.push(
      `These runs are shared with ${p.sharedWith} (the same nets, Sec. 2.1): the run directories are ${p.sharedWith}'s, trained by whichever of \`rectifier reproduce ${p.sharedWith}\` and \`rectifier reproduce ${p.experiment}\` comes first and reused by the other (if planning both, count their ${count(train)} training images once). ${p.experiment}'s own tests are added to them; its report goes to ${p.reportDir}.`,
    );
  }
  for (const [i, r] of p.runs.entries()) {
    const c = r.config;
    lines.push(
      '',
      `[${i + 1}/${p.runs.length}] ${r.variant} seed ${r.seed} → ${r.runDir}`,
      `  ${c.model} ×${c.widthMultiplier}, fc ${c.fcUnits}, ${c.activation}, ${c.init}; crop ${c.crop} from ${c.scaleJitter === null ? `shorter side ${c.resize}` : `shorter side in [${c.scaleJitter.join(', ')}]`}, colour altering ${c.pcaLighting === null ? 'off' : `std ${c.pcaLighting}`}`,
      `  tests: ${describeTests(r.tests)}`,
      `  images: ${count(r.images.train)} train + ${count(r.images.validation)} validation + ${count(r.images.test)} test = ${count(r.images.total)}`,
      `  config: ${JSON.stringify(c)}`,
    );
  }
  for (const x of p.ensembles) {
    lines.push(
      '',
      `ensemble, seed ${x.seed}: ${x.members.join(' + ')}; tests: ${describeTests(x.tests)}; images: ${count(x.images)}`,
    );
  }
  lines.push('', `total: ${count(p.images)} images`);
  return `${lines.join('\n')}\n`;
}
