import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { z } from 'zod';
import { RunDirError } from './errors';

/**
 * Reads a JSON file the app keeps in a run directory (`eval/<key>.json`, `responses.json`),
 * checked against `schema` when given. A file that cannot be read, is not JSON or does not fit
 * is one {@link RunDirError} naming the file, what is wrong and `fix` — never a raw SyntaxError.
 */
export function readRunJson<T = unknown>(
  runDir: string,
  path: string,
  fix: string,
  schema?: z.ZodType<T>,
): T {
  const name = relative(runDir, path) || path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new RunDirError(runDir, `${name} cannot be read (${code}); ${fix}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RunDirError(
      runDir,
      `${name} is not valid JSON (${text.length} bytes: truncated or damaged); ${fix}`,
      { cause },
    );
  }
  if (schema === undefined) return value as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunDirError(
      runDir,
      `${name}: \`${issue.path.join('.') || '(root)'}\` ${issue.message}; the file is damaged or not the app's. ${fix}`,
    );
  }
  return parsed.data;
}
