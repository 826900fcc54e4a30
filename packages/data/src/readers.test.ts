import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DataArgumentError, DatasetLayoutError } from './errors';
import { readIlsvrc } from './ilsvrc';
import { readImageFolder } from './imageFolder';
import { createImageLoader, type EpochReport } from './loader';
import { makeAwkwardTree, removeTmpDirs, tmp, writeJpeg } from './testing/makeTree';

afterAll(removeTmpDirs);

const WNIDS = ['n01440764', 'n01443537', 'n01484850'];

describe('readImageFolder / readIlsvrc', () => {
  let root: string;
  beforeAll(async () => {
    root = tmp('readers');
    await makeAwkwardTree(root);
    // val, flat: 4 images; file k's class is given by the ground truth.
    const valClass = [2, 0, 1, 0]; // index into WNIDS
    for (let k = 1; k <= 4; k++) {
      await writeJpeg(join(root, 'val', `ILSVRC2012_val_0000000${k}.JPEG`), 8, 8, k);
    }
    writeFileSync(
      join(root, 'LOC_val_solution.csv'),
      `ImageId,PredictionString\n${valClass
        .map((c, k) => `ILSVRC2012_val_0000000${k + 1},${WNIDS[c]} 1 2 3 4 ${WNIDS[c]} 5 6 7 8`)
        .reverse()
        .join('\n')}\n`,
    );
    // Devkit style: the ID-ordered synset list is NOT sorted (IDs 1..3 = wnids 2,0,1).
    const idOrder = [WNIDS[2], WNIDS[0], WNIDS[1]];
    writeFileSync(join(root, 'id_wnids.txt'), `${idOrder.join('\n')}\n`);
    // ground truth: ILSVRC2012_ID per val image = position in idOrder + 1.
    writeFileSync(
      join(root, 'gt.txt'),
      `${valClass.map((c) => idOrder.indexOf(WNIDS[c]) + 1).join('\n')}\n`,
    );
    // foldered val
    await writeJpeg(join(root, 'valdirs', 'val', WNIDS[1], 'a.JPEG'), 8, 8);
    await writeJpeg(join(root, 'valdirs', 'val', WNIDS[2], 'b.JPEG'), 8, 8);
    mkdirSync(join(root, 'valdirs', 'val', WNIDS[0]), { recursive: true });
    writeFileSync(
      join(root, 'valdirs', 'synsets.txt'),
      `${WNIDS.map((w) => `${w} some words`).join('\n')}\n`,
    );
  });

  it('train: class index = sorted wnids; every file listed (readable or not), sorted', () => {
    const ds = readIlsvrc({ root, split: 'train' });
    expect(ds.classes).toEqual(WNIDS);
    expect(ds.samples.map((s) => [s.path.split('/').pop(), s.label])).toEqual([
      ['n01440764_1.JPEG', 0],
      ['n01440764_2_cmyk.JPEG', 0],
      ['n01443537_1_gray.JPEG', 1],
      ['n01443537_2_png.JPEG', 1],
      ['n01484850_1_truncated.JPEG', 2],
      ['n01484850_2_empty.JPEG', 2],
      ['n01484850_3.JPEG', 2],
    ]);
  });

  it('val flat + LOC_val_solution.csv (rows in any order)', () => {
    const ds = readIlsvrc({ root, split: 'val' });
    expect(ds.samples.map((s) => s.label)).toEqual([2, 0, 1, 0]);
  });

  it('val flat + devkit ground truth mapped through the ID-ordered synset list', () => {
    const ds = readIlsvrc({
      root,
      split: 'val',
      groundTruth: join(root, 'gt.txt'),
      synsets: join(root, 'id_wnids.txt'),
    });
    expect(ds.classes).toEqual(WNIDS);
    expect(ds.samples.map((s) => s.label)).toEqual([2, 0, 1, 0]);
  });

  it('val as val/<wnid>/ folders uses the full synset list (labels stable with empty classes)', () => {
    const ds = readIlsvrc({ root: join(root, 'valdirs'), split: 'val' });
    expect(ds.classes).toEqual(WNIDS);
    expect(ds.samples.map((s) => s.label)).toEqual([1, 2]);
  });

  it('ImageFolder on the train tree matches torchvision order', () => {
    const ds = readImageFolder(join(root, 'train'));
    expect(ds.classes).toEqual(WNIDS);
    expect(ds.samples).toHaveLength(7);
  });

  it('typed errors', () => {
    expect(() => readImageFolder(join(root, 'nope'))).toThrow(DatasetLayoutError);
    expect(() => readIlsvrc({ root, split: 'test' as 'val' })).toThrow(DataArgumentError);
    expect(() => readIlsvrc({ root: join(root, 'train'), split: 'val' })).toThrow(/not found/);
  });
});

describe('readImageFolder with an empty class folder', () => {
  it('warns, naming the class and its folder, and keeps the other labels', () => {
    const root = tmp('empty-class');
    mkdirSync(join(root, 'cat'));
    mkdirSync(join(root, 'dog'));
    writeFileSync(join(root, 'dog', 'notes.txt'), 'not an image');
    writeFileSync(join(root, 'cat', 'a.jpg'), Buffer.alloc(1));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const ds = readImageFolder(root);
      expect(ds.classes).toEqual(['cat', 'dog']);
      expect(ds.samples.map((s) => s.label)).toEqual([0]);
      expect(warn).toHaveBeenCalledTimes(1);
      const [message, options] = warn.mock.calls[0] as [string, { code: string }];
      expect(message).toContain('"dog" (label 1) has no images');
      expect(message).toContain(join(root, 'dog'));
      expect(options.code).toBe('RECTIFIER_EMPTY_CLASS');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('symlink loops, dangling links and non-UTF-8 names', () => {
  /** A file whose name has the byte 0xff (not UTF-8) in `dir`, holding `bytes`. */
  function writeBadName(dir: string, stem: string, bytes: Uint8Array): void {
    const name = Buffer.concat([
      Buffer.from(`${dir}/${stem}`),
      Buffer.from([0xff]),
      Buffer.from('.jpg'),
    ]);
    writeFileSync(name, bytes);
  }

  async function makeBrokenTree(root: string): Promise<void> {
    await writeJpeg(join(root, 'cat', 'a.jpg'), 8, 8, 1);
    await writeJpeg(join(root, 'dog', 'c.jpg'), 8, 8, 2);
    symlinkSync('loop.jpg', join(root, 'cat', 'loop.jpg')); // resolves to itself: ELOOP
    symlinkSync('missing.jpg', join(root, 'cat', 'dangling.jpg'));
    writeBadName(join(root, 'dog'), 'b', readFileSync(join(root, 'dog', 'c.jpg')));
    symlinkSync(join(root, 'no-such-class'), join(root, 'ghost')); // a dangling class folder
  }

  async function epochReport(ds: ReturnType<typeof readImageFolder>): Promise<EpochReport> {
    const loader = createImageLoader(ds, { batchSize: 16, shuffle: false, onEpochEnd: () => {} });
    const epoch = loader.epoch(0);
    for await (const batch of epoch) {
      batch.images.dispose();
      batch.labels.dispose();
    }
    return epoch.report;
  }

  it('ImageFolder lists them; the loader skips each with its reason and path; the set still trains', async () => {
    const root = tmp('broken');
    await makeBrokenTree(root);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const ds = readImageFolder(root);
      expect(ds.classes).toEqual(['cat', 'dog']);
      expect(ds.samples).toHaveLength(5);
      const [message, options] = warn.mock.calls[0] as [string, { code: string }];
      expect(message).toContain(
        `Skipped ${join(root, 'ghost')}: a dangling or looping symbolic link`,
      );
      expect(options.code).toBe('RECTIFIER_SKIPPED_ENTRY');
      const report = await epochReport(ds);
      expect(report.examples).toBe(2);
      const reasons = Object.fromEntries(
        report.skipped.map((s) => [s.path.slice(root.length + 1), s.reason]),
      );
      expect(Object.keys(reasons).sort()).toEqual([
        'cat/dangling.jpg',
        'cat/loop.jpg',
        'dog/b\uFFFD.jpg',
      ]);
      expect(reasons['cat/loop.jpg']).toMatch(/symbolic link loop \(ELOOP\)/);
      expect(reasons['cat/dangling.jpg']).toMatch(
        /dangling symbolic link: its target missing\.jpg/,
      );
      expect(reasons['dog/b\uFFFD.jpg']).toMatch(/file name is not valid UTF-8.*rename the file/);
    } finally {
      warn.mockRestore();
    }
  });

  it('ILSVRC train and a flat val survive them too', async () => {
    const root = tmp('broken-ilsvrc');
    const wnids = ['n01440764', 'n01443537'];
    await writeJpeg(join(root, 'train', wnids[0], 'x.JPEG'), 8, 8);
    symlinkSync('x2.JPEG', join(root, 'train', wnids[0], 'x2.JPEG')); // a loop
    await writeJpeg(join(root, 'train', wnids[1], 'y.JPEG'), 8, 8);
    symlinkSync(join(root, 'gone'), join(root, 'train', 'n99999999')); // a dangling class folder
    await writeJpeg(join(root, 'val', 'ILSVRC2012_val_00000001.JPEG'), 8, 8);
    symlinkSync('nowhere', join(root, 'val', 'ILSVRC2012_val_00000002.JPEG'));
    writeBadName(join(root, 'val'), 'ILSVRC2012_val_0000000', Buffer.alloc(4));
    writeFileSync(
      join(root, 'LOC_val_solution.csv'),
      `ImageId,PredictionString\nILSVRC2012_val_00000001,${wnids[1]} 1 2 3 4\nILSVRC2012_val_00000002,${wnids[0]} 1 2 3 4\n`,
    );
    writeFileSync(join(root, 'synsets.txt'), `${wnids.join('\n')}\n`);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const train = readIlsvrc({ root, split: 'train' });
      expect(train.samples.filter((s) => s.path.includes(wnids[0])).map((s) => s.label)).toEqual([
        0, 0,
      ]);
      const trainReport = await epochReport(train);
      expect(trainReport.skipped.map((s) => s.path)).toContain(
        join(root, 'train', wnids[0], 'x2.JPEG'),
      );
      const val = readIlsvrc({ root, split: 'val' });
      expect(val.samples.map((s) => s.label)).toEqual([1, 0]);
      const skippedVal = warn.mock.calls
        .map(([m]) => String(m))
        .find((m) => m.includes('not valid UTF-8'));
      expect(skippedVal).toContain(join(root, 'val', 'ILSVRC2012_val_0000000\uFFFD.jpg'));
      const valReport = await epochReport(val);
      expect(valReport.examples).toBe(1);
      expect(valReport.skipped).toEqual([
        {
          index: 1,
          path: join(root, 'val', 'ILSVRC2012_val_00000002.JPEG'),
          reason: expect.stringMatching(/dangling symbolic link: its target nowhere/),
        },
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
