import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { CheckpointError } from './errors';

/** One named float32 array of a checkpoint (a weight or a momentum buffer). */
export interface CheckpointTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Everything a run needs to continue exactly where a checkpoint was taken. */
export interface CheckpointState {
  /**
   * SHA-256 of the run's fingerprint (config.json's `run`, see {@link fingerprintHash}): which
   * run wrote it. Absent in checkpoints written before 0.2, which are accepted unchecked.
   */
  fingerprint?: string;
  /** Optimizer steps done (also in the file name, and the two must agree). */
  step: number;
  /** Epoch the next step belongs to, and batches of it already consumed (the loader position). */
  epoch: number;
  batchInEpoch: number;
  /** Validation top-1 error of the last finished epoch, when measured (picks the best checkpoint). */
  valError: number | null;
  schedule: Record<string, number>;
  /** Bytes of metrics.jsonl and slopes.jsonl at this point: lines past it are from lost steps. */
  metricsBytes: number;
  slopesBytes: number;
  /** Wall time of the run so far, in ms. */
  elapsedMs: number;
  weights: CheckpointTensor[];
  buffers: CheckpointTensor[];
}

const MAGIC = Buffer.from('RECTCKP1');

/** `checkpoints/step-00000120.ckpt`: names sort by step. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}.ckpt`;
}

/** Directory fsync: a rename is durable only once its directory entry is on disk. */
function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Serialises a checkpoint: `RECTCKP1`, a uint32 LE header length, a JSON header (state and the
 * tensor table), the float32 LE payload, and the SHA-256 of everything before it (32 bytes).
 */
export function encodeCheckpoint(state: CheckpointState): Buffer[] {
  const { weights, buffers, ...meta } = state;
  let offset = 0;
  const table = (ts: CheckpointTensor[]) =>
    ts.map((t) => {
      const entry = { name: t.name, shape: t.shape, offset, length: t.data.length };
      offset += t.data.byteLength;
      return entry;
    });
  const header = Buffer.from(
    JSON.stringify({ ...meta, weights: table(weights), buffers: table(buffers) }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const parts = [
    MAGIC,
    length,
    header,
    ...[...weights, ...buffers].map((t) =>
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    ),
  ];
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  parts.push(hash.digest());
  return parts;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The identity of a run in its checkpoints: SHA-256 (hex) of its fingerprint, keys sorted. */
export function fingerprintHash(fingerprint: unknown): string {
  return createHash('sha256').update(canonical(fingerprint)).digest('hex');
}

interface TableEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/**
 * What is wrong with a header's fields and its tensor table against a payload of
 * `payloadBytes`, or null. Every entry must lie inside the payload, hold as many floats as its
 * shape says, and the entries must tile the payload exactly: a checksum only proves the bytes
 * are the writer's, not that the writer's table describes them.
 */
function headerProblem(h: Record<string, unknown>, payloadBytes: number): string | null {
  const missing = ['step', 'epoch', 'batchInEpoch', 'metricsBytes', 'slopesBytes'].filter(
    (k) => !isCount(h[k]),
  );
  if (missing.length > 0) return `has no valid ${missing.join(', ')} in its header`;
  if (h.fingerprint !== undefined && typeof h.fingerprint !== 'string')
    return 'has a fingerprint that is not a string';
  if (!Array.isArray(h.weights) || !Array.isArray(h.buffers))
    return 'has no tensor table (weights, buffers) in its header';
  let end = 0;
  for (const t of [...h.weights, ...h.buffers] as TableEntry[]) {
    const label = JSON.stringify(t?.name);
    if (typeof t?.name !== 'string' || !Array.isArray(t.shape) || !t.shape.every(isCount))
      return `has a table entry ${label} without a name and a shape`;
    if (!isCount(t.offset) || !isCount(t.length))
      return `has a table entry ${label} without a valid offset and length`;
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.length !== size)
      return `says ${label} holds ${t.length} floats, but its shape [${t.shape}] has ${size}`;
    if (t.offset !== end)
      return `says ${label} starts at byte ${t.offset} of the payload, expected ${end}`;
    end += t.length * 4;
    if (end > payloadBytes)
      return `says ${label} ends at byte ${end}, past the payload's ${payloadBytes} bytes (truncated when written)`;
  }
  if (end !== payloadBytes)
    return `has a payload of ${payloadBytes} bytes but its table describes ${end}`;
  return null;
}

/** Parses and verifies a checkpoint file; throws {@link CheckpointError} naming what is wrong. */
export function readCheckpoint(path: string): CheckpointState {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new CheckpointError(path, 'cannot be read', { cause });
  }
  if (bytes.length < MAGIC.length + 4 + 32 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new CheckpointError(path, `is not a checkpoint or is truncated (${bytes.length} bytes)`);
  }
  const body = bytes.subarray(0, bytes.length - 32);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(bytes.subarray(bytes.length - 32))) {
    throw new CheckpointError(path, 'fails its SHA-256 checksum (truncated or corrupt)');
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  let header: Omit<CheckpointState, 'weights' | 'buffers'> & {
    weights: { name: string; shape: number[]; offset: number; length: number }[];
    buffers: { name: string; shape: number[]; offset: number; length: number }[];
  };
  try {
    header = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8'));
  } catch (cause) {
    throw new CheckpointError(path, 'has an unreadable header', { cause });
  }
  const payload = start + headerLength;
  if (typeof header !== 'object' || header === null)
    throw new CheckpointError(path, 'has a header that is not an object');
  const problem = headerProblem(header as never, body.length - payload);
  if (problem !== null) throw new CheckpointError(path, problem);
  const file = basename(path);
  if (/^step-\d{8}\.ckpt$/.test(file) && file !== checkpointName(header.step)) {
    throw new CheckpointError(
      path,
      `holds step ${header.step} but its name says step ${Number(file.slice(5, 13))}; it was renamed or copied from elsewhere`,
    );
  }
  // Copy into an aligned buffer: Float32Array views need 4-byte alignment.
  const tensors = (table: typeof header.weights) =>
    table.map((t) => {
      const data = new Float32Array(t.length);
      const from = payload + t.offset;
      Buffer.from(data.buffer).set(bytes.subarray(from, from + t.length * 4));
      return { name: t.name, shape: t.shape, data };
    });
  return { ...header, weights: tensors(header.weights), buffers: tensors(header.buffers) };
}

/** Phases of a checkpoint write, for `hooks.checkpoint` (tests kill the process in each). */
export type CheckpointPhase = 'partial' | 'written' | 'renamed';

/**
 * Writes a checkpoint atomically: into a temporary file (half, then the rest — `partial` is
 * announced in between), fsync, rename over the final name, fsync the directory. A crash at any
 * point leaves either no file or a complete, checksummed one under the final name.
 */
export function writeCheckpoint(
  dir: string,
  state: CheckpointState,
  onPhase?: (phase: CheckpointPhase) => void,
): string {
  mkdirSync(dir, { recursive: true });
  const name = checkpointName(state.step);
  const tmp = join(dir, `.${name}.tmp`);
  const parts = encodeCheckpoint(state);
  const fd = openSync(tmp, 'w');
  try {
    const half = Math.ceil(parts.length / 2);
    parts.forEach((p, i) => {
      if (i === half) onPhase?.('partial');
      let done = 0;
      while (done < p.length) done += writeSync(fd, p, done);
    });
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  onPhase?.('written');
  renameSync(tmp, join(dir, name));
  fsyncDir(dir);
  onPhase?.('renamed');
  return name;
}

/** Checkpoint file names in `dir`, newest (highest step) first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^step-\d{8}\.ckpt$/.test(f))
    .sort()
    .reverse();
}

/** Removes temporary files a killed write left behind. */
export function removeTemporaries(dir: string): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f));
}

/**
 * Keeps the newest `keep` checkpoints plus `best` (the file with the lowest validation error,
 * tracked by the caller); deletes the others.
 */
export function pruneCheckpoints(dir: string, keep: number, best: string | null): void {
  const all = listCheckpoints(dir);
  for (const f of all.slice(keep)) if (f !== best) rmSync(join(dir, f));
}
