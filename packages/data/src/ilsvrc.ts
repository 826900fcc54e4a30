import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { received } from '@rectifier/core';
import { checkOptionKeys, DataArgumentError, DatasetLayoutError } from './errors';
import type { ImageDataset, ImageSample } from './image';
import { byteOrder, listImageEntries, listSubfolders, readImageFolder } from './imageFolder';

export interface IlsvrcOptions {
  /** Folder holding `train/` and `val/` (the extracted ILSVRC-2012 CLS-LOC layout). */
  root: string;
  split: 'train' | 'val';
  /**
   * For a flat `val/` folder: the official devkit ground truth
   * (`ILSVRC2012_validation_ground_truth.txt`, one 1-based ILSVRC2012_ID per line in file order)
   * or Kaggle's `LOC_val_solution.csv` (`ImageId,PredictionString` with the wnid first).
   * Defaults to whichever of those exists under `root`.
   */
  groundTruth?: string;
  /**
   * The synset list, one `wnid [words]` per line (`LOC_synset_mapping.txt`, `synsets.txt`).
   * Class order is always the sorted wnids whatever the file order. With the devkit ground truth
   * the file order matters: line i must be the wnid of ILSVRC2012_ID i+1 (the devkit's meta.mat
   * order, e.g. exported as `ilsvrc2012_id_wnids.txt`). Defaults to the first of
   * `LOC_synset_mapping.txt`, `synsets.txt`, `ilsvrc2012_id_wnids.txt` under `root`.
   */
  synsets?: string;
}

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

function firstExisting(root: string, names: string[]): string | undefined {
  return names.map((n) => join(root, n)).find((p) => existsSync(p));
}

/**
 * Reads ILSVRC-2012 as users keep it on disk. Class index = position of the wnid in the sorted
 * wnid list (n01440764 → 0 ... n15075141 → 999), the order every ImageNet tool (torchvision,
 * Caffe, TF-slim minus its background class) uses.
 *
 * - train: `root/train/<wnid>/*.JPEG`.
 * - val, foldered: `root/val/<wnid>/*.JPEG` (after the usual valprep script).
 * - val, flat: `root/val/ILSVRC2012_val_00000001.JPEG ...` labelled by `LOC_val_solution.csv`
 *   or by the devkit ground-truth list + the ILSVRC2012_ID → wnid list.
 *
 * The class list comes from the synset file when there is one, else from `train/` folders, else
 * from `val/` folders, so train and val labels agree.
 */
export function readIlsvrc(options: IlsvrcOptions): ImageDataset {
  checkOptionKeys(options, ['root', 'split', 'groundTruth', 'synsets'], 'readIlsvrc');
  const { root, split } = options;
  if (split !== 'train' && split !== 'val') {
    throw new DataArgumentError(
      `Argument \`split\` must be 'train' or 'val'. Received: split=${received(split)}`,
    );
  }
  const dir = join(root, split);
  if (!existsSync(dir)) {
    throw new DatasetLayoutError(dir, `ILSVRC split folder "${split}" not found under root`);
  }
  const synsetPath =
    options.synsets ??
    firstExisting(root, ['LOC_synset_mapping.txt', 'synsets.txt', 'ilsvrc2012_id_wnids.txt']);
  const synsetLines = synsetPath ? readLines(synsetPath).map((l) => l.split(/[\s,]+/)[0]) : [];
  const trainDir = join(root, 'train');
  const classes =
    synsetLines.length > 0
      ? [...new Set(synsetLines)].sort(byteOrder)
      : existsSync(trainDir)
        ? listSubfolders(trainDir)
        : [];
  const hasSubfolders = listSubfolders(dir).length > 0;
  if (hasSubfolders) {
    return readImageFolder(dir, classes.length > 0 ? { classes } : {});
  }
  if (split === 'train') {
    throw new DatasetLayoutError(dir, 'ILSVRC train split must be train/<wnid>/*.JPEG folders');
  }
  return readFlatVal(root, dir, classes, synsetPath, synsetLines, options.groundTruth);
}

function readFlatVal(
  root: string,
  dir: string,
  classes: string[],
  synsetPath: string | undefined,
  synsetLines: string[],
  groundTruthOption: string | undefined,
): ImageDataset {
  const gt =
    groundTruthOption ??
    firstExisting(root, [
      'LOC_val_solution.csv',
      'ILSVRC2012_validation_ground_truth.txt',
      join('ILSVRC2012_devkit_t12', 'data', 'ILSVRC2012_validation_ground_truth.txt'),
    ]);
  if (!gt) {
    throw new DatasetLayoutError(
      dir,
      'Flat val/ needs labels: pass `groundTruth` (LOC_val_solution.csv or ' +
        'ILSVRC2012_validation_ground_truth.txt) or put it under root',
    );
  }
  if (classes.length === 0) {
    throw new DatasetLayoutError(
      root,
      'No class list: pass `synsets` (LOC_synset_mapping.txt / synsets.txt) or keep train/<wnid>/ folders',
    );
  }
  const index = new Map(classes.map((w, i) => [w, i]));
  // A name that is not UTF-8 cannot be matched to its ground-truth row (nor opened): it is
  // skipped with a warning naming it instead of failing the whole split.
  const entries = listImageEntries(dir);
  const unnamed = entries.filter((e) => !e.validName).map((e) => e.path);
  if (unnamed.length > 0) {
    process.emitWarning(
      `Skipped ${unnamed.length} val image(s) whose file name is not valid UTF-8 (shown with \uFFFD; ` +
        `no ground-truth row can match them): ${unnamed.join(', ')}. Rename them to their ILSVRC2012_val_* names.`,
      { code: 'RECTIFIER_SKIPPED_ENTRY' },
    );
  }
  const files = entries.filter((e) => e.validName).map((e) => e.path);
  const samples: ImageSample[] = [];
  if (gt.toLowerCase().endsWith('.csv')) {
    // Kaggle: ImageId,PredictionString ("n01751748 x0 y0 x1 y1 n01751748 ...": first wnid is the class).
    const byId = new Map<string, number>();
    for (const line of readLines(gt).slice(1)) {
      const [id, pred] = line.split(',');
      const wnid = pred?.trim().split(/\s+/)[0];
      const label = wnid ? index.get(wnid) : undefined;
      if (label === undefined) {
        throw new DatasetLayoutError(gt, `Unknown wnid "${wnid}" for ${id} in the solution file`);
      }
      byId.set(id, label);
    }
    for (const path of files) {
      const id = basename(path).replace(/\.[^.]+$/, '');
      const label = byId.get(id);
      if (label === undefined) {
        throw new DatasetLayoutError(path, `Image ${id} has no row in ${basename(gt)}`);
      }
      samples.push({ path, label });
    }
  } else {
    // Devkit: line k = ILSVRC2012_ID (1-based, devkit order) of val image k+1. The devkit's
    // meta.mat order is not wnid order, so it must be mapped through the ID → wnid list.
    if (!synsetPath) {
      throw new DatasetLayoutError(
        gt,
        'The devkit ground truth holds ILSVRC2012_IDs: pass `synsets` = the ID-ordered wnid list ' +
          '(line i = wnid of ILSVRC2012_ID i+1)',
      );
    }
    const ids = readLines(gt).map(Number);
    for (const path of files) {
      const m = /(\d+)\.[^.]+$/.exec(basename(path));
      const k = m ? Number(m[1]) : Number.NaN;
      const id = ids[k - 1];
      const wnid = synsetLines[id - 1];
      const label = wnid === undefined ? undefined : index.get(wnid);
      if (label === undefined) {
        throw new DatasetLayoutError(
          path,
          `No ground-truth label for this val image (number ${k})`,
        );
      }
      samples.push({ path, label });
    }
  }
  if (samples.length === 0) throw new DatasetLayoutError(dir, 'No images in the flat val folder');
  return { classes, samples };
}
