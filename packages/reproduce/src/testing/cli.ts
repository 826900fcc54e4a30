import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { type Io, runCli } from '../program';

/** A tiny run: 64 training / 16 validation images of the bundled subset, batches of 16, on wasm. */
export const tinyRunFlags = [
  '--train-limit',
  '64',
  '--val-limit',
  '16',
  '--batch-size',
  '16',
  '--backend',
  'wasm',
];

/** Runs the CLI in this process, capturing stdout and stderr (tests). */
export async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** `rectifier train` of a tiny run (`tinyRunFlags`) into `runDir`, with `flags` before them. */
export function trainTiny(runDir: string, ...flags: string[]) {
  return cli('train', ...flags, ...tinyRunFlags, '--run-dir', runDir);
}

/**
 * Writes a tiny tree of real JPEGs: `root/<split>/<class>/<i>.JPEG` for each split, `perClass`
 * images per class, each a different flat colour and size (the ILSVRC and ImageFolder layouts).
 */
export async function writeImageTree(
  root: string,
  splits: Record<string, number>,
  classes: string[],
): Promise<void> {
  for (const [split, perClass] of Object.entries(splits)) {
    for (const [k, name] of classes.entries()) {
      const dir = join(root, split, name);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perClass; i++) {
        await sharp({
          create: {
            width: 64 + 8 * i,
            height: 48 + 4 * k,
            channels: 3,
            background: { r: 200 * k, g: 60 * i, b: 90 },
          },
        })
          .jpeg()
          .toFile(join(dir, `${name.length > 20 ? 'img' : name}_${i}.JPEG`));
      }
    }
  }
}
