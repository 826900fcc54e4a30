import { lstatSync, readdirSync, type Stats, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { checkOptionKeys, DatasetLayoutError } from './errors';
import type { ImageDataset, ImageSample } from './image';

/** File extensions the readers treat as images (case-insensitive), as torchvision's ImageFolder. */
export const IMAGE_EXTENSIONS = [
  '.jpg',
  '.jpeg',
  '.png',
  '.ppm',
  '.bmp',
  '.pgm',
  '.tif',
  '.tiff',
  '.webp',
] as const;

export function isImageFile(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** A listed image file; `validName` is false when its name is not UTF-8 (shown with U+FFFD). */
export interface ImageEntry {
  path: string;
  validName: boolean;
}

/**
 * Image files directly inside `dir`, sorted by name. An entry that cannot be stat'ed — a
 * dangling symbolic link, a link loop, a name that is not UTF-8 (Node can only show it with
 * U+FFFD, so it cannot be opened by that name), no permission — is listed all the same: the
 * loader then skips it with the reason, counted and reported with its path like any unreadable
 * image, instead of one bad entry failing the whole set. Entries that stat as folders are not
 * images and are left out.
 */
export function listImageEntries(dir: string): ImageEntry[] {
  const entries: ImageEntry[] = [];
  for (const bytes of readDir(dir)) {
    const name = bytes.toString('utf8');
    if (!isImageFile(name)) continue;
    const path = join(dir, name);
    const validName = Buffer.from(name, 'utf8').equals(bytes);
    if (validName && statOrUndefined(path)?.isFile() === false) continue;
    entries.push({ path, validName });
  }
  return entries.sort((a, b) => byteOrder(a.path, b.path));
}

/** Entry names as bytes (a name that is not UTF-8 stays recognisable). */
function readDir(dir: string): Buffer[] {
  try {
    return readdirSync(dir, { encoding: 'buffer' });
  } catch (cause) {
    throw new DatasetLayoutError(dir, 'Cannot list the directory; check the path exists', {
      cause,
    });
  }
}

/** Image files directly inside `dir`, sorted by name (see {@link listImageEntries}). */
export function listImages(dir: string): string[] {
  return listImageEntries(dir).map((e) => e.path);
}

/** `statSync` that follows links and returns undefined when it cannot (dangling link, loop, …). */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Sub-folders of `dir` (links to folders included), sorted in byte order. An entry that cannot
 * be stat'ed (dangling link, loop, non-UTF-8 name) is not a usable folder: it is left out with a
 * process warning naming it (code `RECTIFIER_SKIPPED_ENTRY`), as a class it would shift every
 * later label.
 */
export function listSubfolders(dir: string): string[] {
  const out: string[] = [];
  for (const bytes of readDir(dir)) {
    const name = bytes.toString('utf8');
    const path = join(dir, name);
    const st = Buffer.from(name, 'utf8').equals(bytes) ? statOrUndefined(path) : undefined;
    if (st?.isDirectory()) out.push(name);
    else if (st === undefined) {
      const link = lstatOrUndefined(path)?.isSymbolicLink();
      process.emitWarning(
        `Skipped ${path}: ${unusableReason(path, link === true)}. It is not read as a class folder.`,
        { code: 'RECTIFIER_SKIPPED_ENTRY' },
      );
    }
  }
  return out.sort(byteOrder);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Why an entry of a listing cannot be opened (for warnings; the loader has its own reasons). */
function unusableReason(path: string, symlink: boolean): string {
  if (path.includes('\uFFFD')) return 'its name is not valid UTF-8 (shown with \uFFFD); rename it';
  return symlink ? 'a dangling or looping symbolic link' : "it cannot be stat'ed";
}

/** Byte-order comparison (what Python's `sorted` and torchvision use), not locale order. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reads a `root/<class>/<image>` tree (torchvision's ImageFolder layout). Classes are the
 * sub-folder names sorted in byte order, label = index in that order; images inside a class are
 * sorted by name too, so the sample list is the same on every machine. Pass `classes` to force a
 * class list (e.g. the 1000 ILSVRC wnids when a split lacks some folders). A class folder with
 * no image files emits a process warning (code `RECTIFIER_EMPTY_CLASS`).
 */
export function readImageFolder(root: string, options: { classes?: string[] } = {}): ImageDataset {
  checkOptionKeys(options, ['classes'], 'readImageFolder');
  const classes = options.classes ?? listSubfolders(root);
  if (classes.length === 0) {
    throw new DatasetLayoutError(
      root,
      'No class sub-folders found; ImageFolder expects root/<class>/<image> files',
    );
  }
  const samples: ImageSample[] = [];
  classes.forEach((name, label) => {
    const dir = join(root, name);
    let files: string[];
    try {
      files = listImages(dir);
    } catch (cause) {
      if (options.classes) return; // a forced class list may name folders this split lacks
      throw cause;
    }
    if (files.length === 0) {
      // torchvision raises here; a warning keeps the labels of the other classes usable (a
      // class list forced to 1000 wnids may name a folder this split holds no image of).
      process.emitWarning(
        `ImageFolder class "${name}" (label ${label}) has no images in ${dir}: the model will ` +
          `have an output for it that no example trains. Image files end in ${IMAGE_EXTENSIONS.join(', ')}; ` +
          'remove the folder or add its images.',
        { code: 'RECTIFIER_EMPTY_CLASS' },
      );
    }
    for (const path of files) samples.push({ path, label });
  });
  return { classes, samples };
}
