import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ParallelError } from '../errors';
import type { Collectives } from './collectives';
import { RAISE_TIMEOUT_ADVICE } from './collectiveTimeout';

/**
 * The `mpi` engine: Open MPI through a small Node-API addon (native/mpi, built by this package's
 * install script when `mpicc` is found). Collectives run on a libuv thread (the event loop stays
 * free); MPI is initialised with MPI_THREAD_SERIALIZED and called from one thread at a time,
 * since every collective here is awaited before the next starts. Allreduce uses MPI_Allreduce
 * (MPI_SUM over MPI_FLOAT), features move with MPI_Gatherv/MPI_Scatterv, messages of unknown
 * size with two MPI_Bcast (length, then bytes).
 */

/** The addon's functions (native/mpi/mpi.c). */
interface MpiAddon {
  init(): { rank: number; size: number };
  allreduceSum(data: Float32Array): Promise<void>;
  gatherv(
    send: Float32Array,
    recv: Float32Array | null,
    counts: Int32Array,
    displs: Int32Array,
  ): Promise<void>;
  scatterv(
    send: Float32Array | null,
    counts: Int32Array,
    displs: Int32Array,
    recv: Float32Array,
  ): Promise<void>;
  bcast(data: Uint8Array): Promise<void>;
  barrier(): Promise<void>;
  abort(code: number): void;
  finalize(): void;
}

export const MPI_INSTALL = 'apt-get install openmpi-bin libopenmpi-dev';

/** Rank, size and node-local rank when this process was started by mpirun/srun (size > 1). */
export function launchedByMpi(
  env: NodeJS.ProcessEnv = process.env,
): { rank: number; size: number; localRank: number } | null {
  const rank = env.OMPI_COMM_WORLD_RANK ?? env.PMIX_RANK ?? env.PMI_RANK ?? env.SLURM_PROCID;
  const size = env.OMPI_COMM_WORLD_SIZE ?? env.PMI_SIZE ?? env.SLURM_NTASKS;
  if (rank === undefined || size === undefined || Number(size) < 2) return null;
  const local =
    env.OMPI_COMM_WORLD_LOCAL_RANK ?? env.SLURM_LOCALID ?? env.LOCAL_RANK ?? env.MPI_LOCALRANKID;
  return { rank: Number(rank), size: Number(size), localRank: Number(local ?? 0) };
}

/**
 * Pins this MPI rank to one GPU — CUDA_VISIBLE_DEVICES = its node-local rank (the n-th of the
 * list when CUDA_VISIBLE_DEVICES already names several) — and returns the local rank. Call it
 * before @tensorflow/tfjs-node-gpu is imported: CUDA reads the variable once, at load. Outside
 * mpirun/srun it changes nothing and returns null.
 */
export function assignLocalDevice(env: NodeJS.ProcessEnv = process.env): number | null {
  const mpi = launchedByMpi(env);
  if (mpi === null) return null;
  const visible = env.CUDA_VISIBLE_DEVICES?.split(',').filter((d) => d !== '');
  env.CUDA_VISIBLE_DEVICES = visible?.[mpi.localRank] ?? String(mpi.localRank);
  return mpi.localRank;
}

function here(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/** Where the built addon is (RECTIFIER_MPI_ADDON overrides): native/mpi/build/Release, from src/parallel or from dist. */
function addonPath(): string | null {
  // An explicit path (another build, or a test of the missing-addon case).
  const given = process.env.RECTIFIER_MPI_ADDON;
  if (given !== undefined) return existsSync(given) ? given : null;
  const self = here();
  for (const rel of [
    '../../native/mpi/build/Release/rectifier_mpi.node',
    '../native/mpi/build/Release/rectifier_mpi.node',
  ]) {
    const p = fileURLToPath(new URL(rel, self));
    if (existsSync(p)) return p;
  }
  return null;
}

let addon: MpiAddon | null = null;
let initialised: { rank: number; size: number } | null = null;

/** Whether the mpi engine can run here, and why not (with the install line). */
export function mpiAvailability(): { available: true } | { available: false; reason: string } {
  if (addonPath() === null) {
    return {
      available: false,
      reason: `the mpi engine's addon is not built (Open MPI was missing at install). Install Open MPI (${MPI_INSTALL}), then rebuild it: npm rebuild @rectifier/trainer (or, in this repository, node packages/trainer/native/mpi/build.mjs)`,
    };
  }
  return { available: true };
}

function loadAddon(): MpiAddon {
  if (addon !== null) return addon;
  const a = mpiAvailability();
  if (!a.available) throw new ParallelError(`engine 'mpi' is unavailable: ${a.reason}.`);
  addon = createRequire(here())(addonPath() as string) as MpiAddon;
  return addon;
}

/** Rejects with a ParallelError when `p` takes longer than `ms` (MPI has no timeouts of its own). */
function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ParallelError(what())), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

class MpiCollectives implements Collectives {
  readonly engine = 'mpi';
  readonly pids: number[] = [];
  context = { step: 0, phase: 'start-up' };
  private finalized = false;

  constructor(
    private readonly a: MpiAddon,
    readonly rank: number,
    readonly size: number,
    public timeoutMs: number,
  ) {}

  private run<T>(p: Promise<T>): Promise<T> {
    const ms =
      this.context.phase === 'start-up' ? Math.max(this.timeoutMs, 120_000) : this.timeoutMs;
    return within(p, ms, () => {
      const { step, phase } = this.context;
      const when = step === 0 ? `before step 1 (${phase})` : `during step ${step} (${phase})`;
      return `MPI rank ${this.rank}: a collective did not complete within ${ms} ms ${when}: another rank hung or died; the job is aborted (MPI_Abort) and the run's last checkpoint is kept (continue with resume()); ${RAISE_TIMEOUT_ADVICE}.`;
    }).catch((e: unknown) => {
      if (e instanceof ParallelError) this.abort(e.message);
      throw e;
    });
  }

  allreduceSum(data: Float32Array): Promise<void> {
    return this.run(this.a.allreduceSum(data));
  }

  async gatherv(data: Float32Array, counts: number[]): Promise<Float32Array | null> {
    const displs = Int32Array.from(offsetsOf(counts));
    const total = counts.reduce((x, y) => x + y, 0);
    const recv = this.rank === 0 ? new Float32Array(total) : null;
    await this.run(this.a.gatherv(data, recv, Int32Array.from(counts), displs));
    return recv;
  }

  async scatterv(data: Float32Array | null, counts: number[]): Promise<Float32Array> {
    const recv = new Float32Array(counts[this.rank]);
    await this.run(
      this.a.scatterv(
        this.rank === 0 ? data : null,
        Int32Array.from(counts),
        Int32Array.from(offsetsOf(counts)),
        recv,
      ),
    );
    return recv;
  }

  async bcast(data: Uint8Array | null): Promise<Uint8Array> {
    const length = new Float64Array([this.rank === 0 ? (data as Uint8Array).byteLength : 0]);
    await this.run(this.a.bcast(new Uint8Array(length.buffer)));
    const out = this.rank === 0 ? (data as Uint8Array) : new Uint8Array(length[0]);
    if (out.byteLength > 0) await this.run(this.a.bcast(out));
    return out;
  }

  barrier(): Promise<void> {
    return this.run(this.a.barrier());
  }

  abort(reason: string): void {
    process.stderr.write(`${reason}\n`);
    this.a.abort(1);
  }

  async close(): Promise<void> {
    if (this.finalized) return;
    this.finalized = true;
    await this.run(this.a.barrier());
    this.a.finalize();
  }
}

function offsetsOf(counts: number[]): number[] {
  let at = 0;
  return counts.map((c) => {
    const o = at;
    at += c;
    return o;
  });
}

/** Joins the MPI job (MPI_Init_thread once per process). */
export async function mpiCollectives(timeoutMs: number): Promise<Collectives> {
  const a = loadAddon();
  if (initialised === null) initialised = a.init();
  return new MpiCollectives(a, initialised.rank, initialised.size, timeoutMs);
}
