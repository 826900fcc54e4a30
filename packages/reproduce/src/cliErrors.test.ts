import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDataset } from './datasets';
import { requestStop } from './run';
import { cli, tinyRunFlags, trainTiny, writeImageTree } from './testing/cli';

const root = mkdtempSync(join(tmpdir(), 'rectifier-errors-'));
const cache = join(root, 'cache');
process.env.RECTIFIER_CACHE = cache;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One line on stderr, no stack trace, no raw Node or JSON error. */
function expectOneLine(err: string): void {
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err).not.toMatch(/SyntaxError|ENOTDIR|EISDIR|ENOENT|\n\s+at /);
}

describe('usage errors are blamed on the flag, exit 2, before anything is written', () => {
  const runDir = join(root, 'never');

  it('--lr abc says it is not a number', async () => {
    const r = await cli('train', '--lr', 'abc', '--run-dir', runDir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--lr: "abc" is not a number/);
    expectOneLine(r.err);
  });

  it('a bad flag over a config file names the flag, not the file', async () => {
    const cfg = join(root, 'ok.yaml');
    writeFileSync(cfg, 'epochs: 1\n');
    const r = await cli('train', '--config', cfg, '--lr', '-1', '--run-dir', runDir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --lr: `lr`: .*Received: lr=-1/);
    expect(r.err).not.toContain(cfg);
  });

  it('--config that is a folder, --run-dir and --out that are files', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string[], RegExp][] = [
      [['train', '--config', root, '--run-dir', runDir], /--config .* is a folder/],
      [['train', '--run-dir', file], /--run-dir .*a-file: .*a-file is a file, not a folder/],
      [['export', join(root, 'some-run'), '--out', file], /--out .*a-file is a file/],
      [['reproduce', 'table2', '--out', file], /--out .*a-file is a file/],
      [['report', join(root, 'some-run'), '--out', file], /--out .*a-file is a file/],
      [
        ['train', '--run-dir', join(file, 'run')],
        /--run-dir .*a-file\/run: .* lies under .*a-file, a file/,
      ],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(re);
      expectOneLine(r.err);
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('--devices far above the cores is refused unless --force-devices', async () => {
    const limit = 4 * availableParallelism();
    const r = await cli('train', ...tinyRunFlags, '--devices', '1000', '--run-dir', runDir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `--devices 1000 is more than 4 × the \\d+ core\\(s\\).*\\(${limit}\\).*--force-devices`,
      ),
    );
    expect(existsSync(runDir)).toBe(false);
  });

  it('a crop too small for the model fails before the run directory or statistics exist', async () => {
    const cfg = join(root, 'small-crop.yaml');
    writeFileSync(cfg, 'resize: 48\ncrop: 40\n');
    const r = await cli('train', '--preset', 'table2/prelu', '--config', cfg, '--run-dir', runDir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/FeatureMapTooSmallError/);
    expect(existsSync(runDir)).toBe(false);
    expect(existsSync(cache)).toBe(false);
  });

  it('test scales beyond what the engine addresses fail before training (config) ', async () => {
    const cfg = join(root, 'huge-scale.yaml');
    writeFileSync(cfg, 'protocols: [dense]\nscales: [4000]\n');
    const r = await cli(
      'train',
      '--preset',
      'table2/prelu',
      ...tinyRunFlags,
      '--config',
      cfg,
      '--run-dir',
      runDir,
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /scales: testing at scale 4000 needs at least \d+\.\d GB .*Use scales of at most \d+/,
    );
    expect(existsSync(runDir)).toBe(false);
  });
});

describe('a trained run: recorded statistics, bounded scales, damaged files', () => {
  const runDir = join(root, 'run');

  beforeAll(async () => {
    const r = await trainTiny(runDir, '--preset', 'table2/prelu', '--epochs', '1');
    expect(r.code, r.err).toBe(0);
  });

  const recorded = () =>
    JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).run.meta.stats as {
      key: string;
      count: number;
      channelMean: number[];
    };

  it('records the mean and PCA it trained with in config.json, keyed by content', () => {
    const s = recorded();
    expect(s.count).toBe(64);
    expect(s.key).toMatch(/^resize\d+-center\d+\|n=64\|idx:[0-9a-f]{16}$/);
    expect(s.channelMean).toHaveLength(3);
  });

  /** Rewrites every cached statistics file with another mean under the same key. */
  const lieInCache = () => {
    for (const f of readdirSync(cache)) {
      const path = join(cache, f);
      const json = JSON.parse(readFileSync(path, 'utf8'));
      writeFileSync(path, JSON.stringify({ ...json, channelMean: [1, 2, 3] }));
    }
  };

  it('resume uses the recorded statistics: a changed cache does not change the weights', async () => {
    const dir = join(root, 'interrupted');
    requestStop(); // what Ctrl-C does: the next run stops after its first step
    const flags = ['--preset', 'table2/prelu', ...tinyRunFlags, '--epochs', '1'];
    const stopped = await cli('train', ...flags, '--checkpoint-every', '1', '--run-dir', dir);
    expect(stopped.code, stopped.err).toBe(130);
    lieInCache();
    const resumed = await cli('resume', dir, '--json');
    expect(resumed.code, resumed.err).toBe(0);
    const sha = (d: string) =>
      JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')).weightsSha256 as string;
    expect(sha(dir)).toBe(sha(runDir));
  });

  it('export and eval use the recorded statistics, never the cache', async () => {
    // A cache that lies (same key, other mean): what the run recorded must win.
    lieInCache();
    const out = join(root, 'export');
    const ex = await cli('export', runDir, '--out', out);
    expect(ex.code, ex.err).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata
      .rectifier;
    expect(meta.preprocessing.mean.perChannel).toEqual(recorded().channelMean);

    const before = await cli('eval', runDir, '--json');
    expect(before.code, before.err).toBe(0);
    rmSync(cache, { recursive: true });
    const after = await cli('eval', runDir, '--json');
    expect(after.code, after.err).toBe(0);
    const strip = (out: string) =>
      JSON.parse(out).map((r: { wallTimeMs?: number }) => ({ ...r, wallTimeMs: 0 }));
    expect(strip(after.out)).toEqual(strip(before.out));
    expect(existsSync(cache)).toBe(false); // not even recomputed
  });

  it('--scales 4000 fails before any image is read, naming the largest scale that fits', async () => {
    const r = await cli('eval', runDir, '--protocol', 'dense', '--scales', '128,4000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /--scales: testing at scale 4000 needs at least \d+\.\d GB .*more than the 4 GiB a wasm engine can address .*Use scales of at most \d+\./,
    );
    expectOneLine(r.err);
  });

  /** A copy of the trained run with `damage` done to it. */
  const damaged = (name: string, damage: (dir: string) => void) => {
    const dir = join(root, name);
    cpSync(runDir, dir, { recursive: true });
    damage(dir);
    return dir;
  };

  it('damaged run-directory files: one line naming the file and what is wrong', async () => {
    const cases: [string, (dir: string) => void, string[], RegExp][] = [
      [
        'truncated-config',
        (d) =>
          writeFileSync(
            join(d, 'config.json'),
            readFileSync(join(d, 'config.json')).subarray(0, 100),
          ),
        ['eval'],
        /config\.json is not valid JSON \(100 bytes: truncated or damaged\)/,
      ],
      [
        'garbage-summary',
        (d) => writeFileSync(join(d, 'summary.json'), 'garbage{'),
        ['eval'],
        /summary\.json is not valid JSON .*remove it and run `rectifier resume .*garbage-summary`/,
      ],
      [
        'checkpoints-file',
        (d) => {
          rmSync(join(d, 'checkpoints'), { recursive: true });
          writeFileSync(join(d, 'checkpoints'), 'x');
        },
        ['resume'],
        /checkpoints is a file, not a directory/,
      ],
      [
        'no-metrics',
        (d) => rmSync(join(d, 'metrics.jsonl')),
        ['report', '--out', join(root, 'report-no-metrics')],
        /metrics\.jsonl is missing, yet the run trained 4 step\(s\)/,
      ],
      [
        'bad-eval',
        (d) => {
          mkdirSync(join(d, 'eval'), { recursive: true });
          writeFileSync(join(d, 'eval', 'center.json'), '{"key": "center", "top1');
        },
        ['report', '--out', join(root, 'report-bad-eval')],
        /eval\/center\.json is not valid JSON .*rectifier eval /,
      ],
      [
        'foreign-eval',
        (d) => {
          mkdirSync(join(d, 'eval'), { recursive: true });
          writeFileSync(join(d, 'eval', 'center.json'), '{"key": "center"}');
        },
        ['report', '--out', join(root, 'report-foreign-eval')],
        /eval\/center\.json: `protocol` .*damaged or not the app's/,
      ],
    ];
    for (const [name, damage, [cmd, ...rest], re] of cases) {
      const dir = damaged(name, damage);
      const r = await cli(cmd, dir, ...rest);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(re);
      expectOneLine(r.err.replace(/^resuming .*\n/, ''));
    }
  });

  it('a partial last line of metrics.jsonl (a kill mid-write) is dropped with a warning naming the file', async () => {
    const dir = damaged('partial-line', (d) =>
      writeFileSync(join(d, 'metrics.jsonl'), '{"type":"step","st', { flag: 'a' }),
    );
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const r = await cli('report', dir, '--out', join(root, 'report-partial'));
      expect(r.code, r.err).toBe(0);
      const warned = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(warned).toMatch(
        /warning: .*partial-line\/metrics\.jsonl: dropped a partial last line/,
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it('training into a run that exists names the command that continues it, not the library call', async () => {
    const r = await trainTiny(runDir, '--preset', 'table2/prelu', '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/continue it with `rectifier resume .*run`/);
    expect(r.err).not.toMatch(/resume\(runDir|train\(\)|runDir/);
  });

  it('divergence advice names commands that work: a new run with a lower --lr', async () => {
    const dir = join(root, 'diverged');
    const r = await cli(
      'train',
      '--preset',
      'table2/prelu',
      ...tinyRunFlags,
      '--lr',
      '10',
      '--epochs',
      '1',
      '--run-dir',
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /DivergedError: Training diverged at step \d+: .*Train a new run with a lower learning rate, e\.g\. the same command with --lr 1 --run-dir .*diverged-lr1\. `rectifier resume .*diverged` cannot help/,
    );
    expect(r.err).not.toMatch(/resume\(\)/);
  });
});

describe('a data set with a link loop, a dangling link and a non-UTF-8 name', () => {
  it('skips them with a reason, counted, and trains on the rest', async () => {
    const data = join(root, 'links');
    await writeImageTree(data, { train: 3, test: 1 }, ['a', 'b']);
    const dir = join(data, 'train', 'a');
    symlinkSync('loop.png', join(dir, 'loop.png')); // points at itself
    symlinkSync(join(root, 'gone.png'), join(dir, 'dangling.png'));
    writeFileSync(
      Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0xff, 0x2e, 0x70, 0x6e, 0x67])]),
      'x',
    );
    const stats = await cli('stats', '--data', data, '--resize', '64', '--crop', '56', '--json');
    expect(stats.code, stats.err).toBe(0);
    expect(JSON.parse(stats.out).count).toBe(6);
    const runDir = join(root, 'links-run');
    const r = await cli(
      'train',
      '--preset',
      'table2/prelu',
      '--data',
      data,
      '--batch-size',
      '9',
      '--epochs',
      '1',
      '--backend',
      'wasm',
      '--run-dir',
      runDir,
    );
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    expect(summary.skipped.count).toBe(3);
    const reasons = JSON.stringify(summary.skipped.examples);
    expect(reasons).toMatch(/loop\.png/);
    expect(reasons).toMatch(/dangling\.png/);
    expect(reasons).toContain('\uFFFD');
  });
});

describe('the statistics cache is keyed by content', () => {
  it('recoloured images under the same names get a new key and a new mean', async () => {
    const data = join(root, 'folder');
    await writeImageTree(data, { train: 2, test: 1 }, ['a', 'b']);
    const key = () => openDataset(data).train.statsKey('resize64-center56');
    const stats = async () => {
      const r = await cli('stats', '--data', data, '--resize', '64', '--crop', '56', '--json');
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out).channelMean as number[];
    };
    const [key0, mean0] = [key(), await stats()];
    const image = join(data, 'train', 'a', 'a_0.JPEG');
    const { width, height } = await sharp(image).metadata();
    await sharp({
      create: { width: width ?? 64, height: height ?? 48, channels: 3, background: '#ffffff' },
    })
      .jpeg()
      .toFile(image);
    expect(key()).not.toBe(key0);
    const mean1 = await stats();
    expect(mean1[0]).toBeGreaterThan(mean0[0] + 10);
  });
});
