import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, readModelMetadata } from '@rectifier/architectures';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseRunConfig } from './config';
import { openDataset } from './datasets';
import { InterruptedError } from './errors';
import { evalResultSchema } from './evaluate';
import { datasetStats } from './model';
import { experiments } from './presets';
import { loadRunModel, readRun, requestStop, trainRun } from './run';
import { cli, tinyRunFlags } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-cli-'));
process.env.RECTIFIER_CACHE = join(root, 'cache');

const tiny = tinyRunFlags;

const trainJson = z.object({
  runDir: z.string(),
  finished: z.literal(true),
  steps: z.number().int().positive(),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  valTop1Error: z.number().nullable(),
});

describe('usage', () => {
  it('every command has --help with an example, exit 0', async () => {
    for (const cmd of [
      'info',
      'summary',
      'train',
      'resume',
      'eval',
      'export',
      'stats',
      'reproduce',
      'report',
    ]) {
      const r = await cli(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toMatch(/Example:\n {2}rectifier /);
    }
  });

  it('bad usage exits 2 with one line naming the problem, and writes nothing', async () => {
    const runDir = join(root, 'never');
    const cfg = join(root, 'bad.yaml');
    writeFileSync(cfg, 'epoch: 2\n');
    const cases: [string[], RegExp][] = [
      [
        ['train', '--config', cfg, '--run-dir', runDir],
        /unknown key `epoch`; did you mean `epochs`/,
      ],
      [['train', '--lr', '-1', '--run-dir', runDir], /`lr`: .*Received: lr=-1/],
      [
        ['train', '--epochs', 'two', '--run-dir', runDir],
        /`epochs`: .*Received: epochs=null|`epochs`/,
      ],
      [
        ['train', '--data', join(root, 'missing'), '--run-dir', runDir],
        /`data`: no such file or folder/,
      ],
      [
        ['train', '--preset', 'table9/relu', '--run-dir', runDir],
        /Unknown experiment "table9"; did you mean "table1"/,
      ],
      [['train', '--preset', 'table2', '--run-dir', runDir], /choose a variant: table2\/relu/],
      [['train', '--bogus'], /unknown option '--bogus'/],
      [['eval', join(root, 'nowhere')], /not a run directory/],
      [['reproduce', 'table4', '--scale', 'paper'], /needs ImageNet/],
      [['summary', 'Z'], /unknown model "Z"/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(re);
      expect(r.out).toBe('');
    }
    expect(existsSync(runDir)).toBe(false);
  });

  it('--collective-timeout must be a positive number of seconds (train and resume), exit 2', async () => {
    const runDir = join(root, 'timeout-usage');
    for (const argv of [
      ['train', '--collective-timeout', 'abc', '--run-dir', runDir],
      ['train', '--collective-timeout', '0', '--run-dir', runDir],
      ['resume', runDir, '--collective-timeout', '-5'],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(
        /--collective-timeout must be a positive number of seconds/,
      );
    }
    expect(existsSync(runDir)).toBe(false);
  });

  it('--json prints only JSON, errors included', async () => {
    const list = await cli('reproduce', '--list', '--json');
    expect(list.code).toBe(0);
    const names = z
      .array(z.object({ name: z.string(), variants: z.array(z.string()) }))
      .parse(JSON.parse(list.out));
    expect(names.map((n) => n.name).sort()).toEqual([
      'figure2',
      'figure3',
      'figure4',
      'table1',
      'table2',
      'table4',
      'table5',
      'table6',
      'table7',
    ]);
    const summary = await cli('summary', 'A', '--json');
    const s = z
      .object({ totalParams: z.number(), totalMultiplyAdds: z.number() })
      .parse(JSON.parse(summary.out));
    // Table 3's complexity row: model A is 1.90 × 10^10 operations at 224 (printed to 3 digits).
    expect(s.totalMultiplyAdds / 1e10).toBeCloseTo(1.9, 1);
    const bad = await cli('train', '--lr', '0', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out).error.exitCode).toBe(2);
    const info = await cli('info', '--json', '--backend', 'wasm');
    expect(
      z.object({ chosen: z.string(), cores: z.number() }).parse(JSON.parse(info.out)).chosen,
    ).toBe('wasm');
  });
});

describe('end to end on a tiny data set', () => {
  const runDir = join(root, 'run');
  let trained: z.infer<typeof trainJson>;
  // Two epochs of table2/prelu on the tiny set into `dir`, plus any `extra` flags.
  const trainTiny = (dir: string, ...extra: string[]) =>
    cli(
      'train',
      '--preset',
      'table2/prelu',
      ...tiny,
      '--epochs',
      '2',
      // Scaled inputs, so the export test below checks the scale folded into conv1.
      '--input-scale',
      '0.25',
      ...extra,
      '--run-dir',
      dir,
      '--json',
    );

  beforeAll(async () => {
    const r = await trainTiny(runDir);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    trained = trainJson.parse(JSON.parse(r.out));
  });

  it('trains: 8 steps (2 epochs of 64 / 16), summary.json with weightsSha256', () => {
    expect(trained.steps).toBe(8);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    expect(summary.weightsSha256).toBe(trained.weightsSha256);
  });

  it('backend auto is the run’s identity in config.json; the engine that ran is recorded beside it', async () => {
    const dir = join(root, 'backend-auto');
    const r = await cli(
      'train',
      '--preset',
      'table2/prelu',
      ...tiny,
      '--backend',
      'auto',
      '--max-steps',
      '1',
      '--run-dir',
      dir,
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.run.backend).toBe('auto');
    expect(config.backend.requested).toBe('auto');
    expect(config.backend.actual).toMatch(/^(onednn|wasm|cpu)$/);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.backend).toBe(config.backend.actual);
    expect(summary.backendRequested).toBe('auto');
  });

  it('--devices 2 trains the same run on two local worker processes (hybrid)', async () => {
    const dir = join(root, 'two-devices');
    const r = await trainTiny(dir, '--devices', '2');
    expect(r.code, r.err).toBe(0);
    const summary = trainJson.parse(JSON.parse(r.out));
    expect(summary.steps).toBe(8);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.run.meta.rectifier).toMatchObject({ devices: 2, parallel: 'hybrid' });
    // The two-worker run starts from the same weights as the one-process run above and takes
    // the same steps, so its first epoch's loss matches that run's to float rounding.
    const loss = (d: string) =>
      readFileSync(join(d, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((m) => m.type === 'epoch' && m.epoch === 0).trainLoss;
    expect(loss(dir)).toBeCloseTo(loss(runDir), 4);
  });

  it('Ctrl-C stops after a checkpoint; resume ends bit-identical to the uninterrupted run', async () => {
    const dir = join(root, 'interrupted');
    const config = parseRunConfig(
      {
        ...experiments.table2.scales.cpu,
        experiment: 'table2',
        variant: 'prelu',
        epochs: 2,
        trainLimit: 64,
        valLimit: 16,
        batchSize: 16,
        checkpointEvery: 1,
        valEveryEpoch: false,
        backend: 'wasm',
      },
      'test',
    );
    requestStop(); // what the CLI's SIGINT handler calls
    const stopped = await trainRun(config, dir, { progress: 'none' }).catch((e) => e);
    expect(stopped).toBeInstanceOf(InterruptedError);
    expect(stopped.message).toMatch(/rectifier resume /);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    const resumed = await cli('resume', dir, '--json');
    expect(resumed.code, resumed.err).toBe(0);
    const a = trainJson.parse(JSON.parse(resumed.out));
    const whole = await trainRun(config, join(root, 'whole'), { progress: 'none' });
    expect(a.steps).toBe(whole.steps);
    expect(a.weightsSha256).toBe(whole.weightsSha256);
  });

  it('evaluates with every protocol; --json parses against its schema', async () => {
    for (const [protocol, keys] of [
      ['center', ['center']],
      ['ten-view', ['ten-view']],
      ['dense', ['dense(0)', 'dense(1)']],
      ['multi-scale', ['multi-scale']],
    ] as const) {
      const r = await cli('eval', runDir, '--protocol', protocol, '--scales', '80,100', '--json');
      expect(r.code, r.err).toBe(0);
      const results = z.array(evalResultSchema).parse(JSON.parse(r.out));
      expect(results.map((x) => x.key)).toEqual(keys);
      expect(results[0].images).toBe(16);
    }
    const ens = await cli('eval', runDir, join(root, 'whole'), '--protocol', 'center', '--json');
    expect(z.array(evalResultSchema).parse(JSON.parse(ens.out))[0].protocol).toBe('ensemble');
  });

  it('eval takes a checkpoint file too: the same result as the run directory with --checkpoint', async () => {
    const name = readFileSync(join(runDir, 'summary.json'), 'utf8').match(
      /"lastCheckpoint": "([^"]+)"/,
    )?.[1] as string;
    const file = join(runDir, 'checkpoints', name);
    const byFile = await cli('eval', file, '--protocol', 'center', '--json');
    expect(byFile.code, byFile.err).toBe(0);
    const byFlag = await cli(
      'eval',
      runDir,
      '--checkpoint',
      name,
      '--protocol',
      'center',
      '--json',
    );
    const [a, b] = [byFile, byFlag].map(
      (r) => z.array(evalResultSchema).parse(JSON.parse(r.out))[0],
    );
    expect(a.checkpoint).toEqual([name]);
    expect(a.top1Error).toBe(b.top1Error);
    expect(a.top5Error).toBe(b.top5Error);

    const both = await cli('eval', file, '--checkpoint', 'best');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/names its checkpoint already; drop --checkpoint best/);
    const stray = await cli('eval', join(runDir, 'summary.json'));
    expect(stray.code).toBe(2);
    expect(stray.err).toMatch(/not a checkpoint of a run/);
  });

  it('a scale too small for one window is a usage error before any work', async () => {
    const r = await cli('eval', runDir, '--protocol', 'dense', '--scales', '40');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ScaleTooSmallError/);
  });

  it('exports a LayersModel that tf.loadLayersModel reads (after importing @rectifier/architectures)', async () => {
    const out = join(root, 'export');
    const r = await cli('export', runDir, '--out', out, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const weights = readFileSync(join(out, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: weights.buffer.slice(
          weights.byteOffset,
          weights.byteOffset + weights.byteLength,
        ),
      }),
    );
    const y = tf.tidy(() => model.predict(tf.zeros([1, 80, 80, 3])) as tf.Tensor);
    expect(y.shape).toEqual([1, 10]);
    expect((await y.sum().data())[0]).toBeCloseTo(1, 5); // softmax output
    y.dispose();
  });

  it('the export carries class names and test-time preprocessing; loadModel reads its path', async () => {
    const out = join(root, 'export-metadata');
    expect((await cli('export', runDir, '--out', out, '--json')).code).toBe(0);
    const model = await loadModel(join(out, 'model.json'));
    const metadata = readModelMetadata(model);
    const { config, classes } = readRun(runDir);
    expect(metadata.classes).toEqual(classes);
    expect(metadata.classes[0]).toBe('T-shirt/top'); // output 0 is Fashion-MNIST's label 0
    const stats = await datasetStats(
      openDataset(config.data, { train: config.trainLimit, val: config.valLimit }),
      config,
    );
    expect(metadata.preprocessing).toEqual({
      inputSize: config.crop,
      resizeShorter: config.resize,
      crop: config.crop,
      channels: 3,
      colorOrder: 'RGB',
      range: [0, 255],
      mean: { perChannel: stats.channelMean },
    });
    // Grey images decode to three equal channels, so the mean does too.
    expect(new Set(stats.channelMean).size).toBe(1);
    // The run trained on (x − mean) × inputScale; the export takes x − mean, as its metadata says.
    expect(config.inputScale).toBe(1 / 4);
    const { built } = await loadRunModel(runDir, 'last', true);
    const x = tf.randomUniform([2, config.crop, config.crop, 3], -120, 120, 'float32', 1);
    const [a, b] = [model.predict(x), built.model.predict(x.mul(config.inputScale))] as tf.Tensor[];
    const [pa, pb] = [await a.data(), await b.data()];
    // Float32 rounding of one rescaled kernel: logits agree to ~1e-6 relative.
    for (let i = 0; i < pa.length; i++) expect(pa[i]).toBeCloseTo(pb[i], 5);
    tf.dispose([x, a, b]);
    built.model.dispose();
    model.dispose();
  });

  it('reports: report.md and report.html with our numbers beside the paper', async () => {
    const out = join(root, 'report');
    const r = await cli('report', runDir, '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    // One seed: no spread ("± —"); the row says how many seeds and test images it pools.
    expect(md).toMatch(
      /\| PReLU, channel-wise \| ten-view \| 32\.64 \| \d+\.\d\d ± — \| 12\.75 \| \d+\.\d\d ± — \| 1 \| 16 \|/,
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).not.toMatch(/<script/);
  });
});
