/**
 * The collectives the multi-device trainer needs, over any engine (`local` child processes or
 * `mpi`). Every rank calls the same collectives in the same order (SPMD), as MPI requires; root
 * is always rank 0. Buffers are float32 or raw bytes and travel as binary, never as JSON.
 */
export interface Collectives {
  readonly engine: 'local' | 'mpi';
  readonly rank: number;
  readonly size: number;
  /** Where the run is, for error messages (`step 3, gather of trunk features`). */
  context: { step: number; phase: string };
  /** Current wait limit (ms) for another rank; rank 0 and MPI ranks move it as steps are timed. */
  timeoutMs: number;
  /** Sums `data` element-wise over all ranks, in place; every rank ends with the same sum. */
  allreduceSum(data: Float32Array): Promise<void>;
  /** Rank r sends `data` (counts[r] elements); rank 0 gets the concatenation in rank order, others null. */
  gatherv(data: Float32Array, counts: number[]): Promise<Float32Array | null>;
  /** Rank 0 passes the concatenation (others null); rank r gets its counts[r] elements. */
  scatterv(data: Float32Array | null, counts: number[]): Promise<Float32Array>;
  /** Rank 0's bytes to every rank (others pass null; any length). */
  bcast(data: Uint8Array | null): Promise<Uint8Array>;
  barrier(): Promise<void>;
  /** Stops every rank now (faults): the local engine kills its workers, MPI calls MPI_Abort. */
  abort(reason: string): void;
  /** Orderly end: waits for the other ranks to leave. */
  close(): Promise<void>;
  /** Process ids of the other ranks this process started (local engine, rank 0), else []. */
  readonly pids: number[];
}

/** Balanced shard sizes of `n` examples over `size` ranks (the first ranks take one more). */
export function shardCounts(n: number, size: number): number[] {
  return Array.from({ length: size }, (_, r) => Math.floor(n / size) + (r < n % size ? 1 : 0));
}

/** Offsets of each shard in the concatenation. */
export function offsets(counts: number[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const c of counts) {
    out.push(at);
    at += c;
  }
  return out;
}

/**
 * Sums gradient arrays over all ranks in fused buckets: the arrays, in their given order, are
 * packed into buckets of at most `bucketElements` floats (a larger array is a bucket alone), one
 * allreduce per bucket — fewer, larger messages, as Horovod's tensor fusion and DDP's buckets.
 * Returns the summed arrays (new memory) in the same order.
 */
export async function allreduceBuckets(
  comm: Collectives,
  arrays: Float32Array[],
  bucketElements = 4 << 20,
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(arrays.length);
  let i = 0;
  while (i < arrays.length) {
    let j = i;
    let total = 0;
    while (j < arrays.length && (j === i || total + arrays[j].length <= bucketElements)) {
      total += arrays[j].length;
      j++;
    }
    const bucket = new Float32Array(total);
    let at = 0;
    for (let k = i; k < j; k++) {
      bucket.set(arrays[k], at);
      at += arrays[k].length;
    }
    await comm.allreduceSum(bucket);
    at = 0;
    for (let k = i; k < j; k++) {
      out[k] = bucket.subarray(at, at + arrays[k].length);
      at += arrays[k].length;
    }
    i = j;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Small metadata (shapes, names, options) as UTF-8 JSON bytes; tensors never go this way. */
export const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const decodeJson = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;

/** Views a float32 array as bytes without copying. */
export const bytesOf = (a: Float32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Copies bytes into a fresh, aligned float32 array. */
export function floatsOf(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
