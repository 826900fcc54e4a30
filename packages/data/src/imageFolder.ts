import { readdirSync, statSync } from 'node:fs';
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

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (cause) {
    throw new DatasetLayoutError(path, 'Cannot list the directory; check the path exists', {
      cause,
    });
  }
}

/** Image files directly inside `dir`, sorted by name (byte order, as Python's `sorted`). */
export function listImages(dir: string): string[] {
  return listDir(dir)
    .filter((n) => isImageFile(n))
    .sort(byteOrder)
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile());
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
  const classes =
    options.classes ??
    listDir(root)
      .filter((n) => statSync(join(root, n)).isDirectory())
      .sort(byteOrder);
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
