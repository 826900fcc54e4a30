import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closestName } from '@rectifier/core';
import type { Engine } from '../engines/engine';
import { ParallelError, TrainerArgumentError } from '../errors';
import type { LossFn } from '../loss';
import { softmaxCrossEntropy } from '../loss';
import type { SgdOptimizer } from '../sgd';
import type { ModelParts } from '../step';
import { type Collectives, encodeJson } from './collectives';
import { CollectiveTimeout } from './collectiveTimeout';
import { layerPackages } from './layerPackages';
import { LocalRoot } from './local';
import { launchedByMpi, mpiAvailability, mpiCollectives } from './mpi';
import {
  initMessage,
  type ParallelMode,
  type Replica,
  receiveInit,
  receiveInitialState,
  replicaOptimizer,
  sendInitialState,
} from './replica';
import { type CommStats, rootStep, rootStop, workerLoop } from './replicaStep';

/** The multi-device options of `train` / `resume`. */
export interface ParallelTrainOptions {
  /**
   * Worker processes, one per device (GPU, or CPU core on the CPU backends); rank 0 is the
   * calling process. Default 1, or the MPI world size when started by mpirun/srun.
   */
  devices?: number;
  /** `hybrid` (default: the paper's Sec. 3 scheme) or `data` (every layer replicated). */
  parallel?: ParallelMode;
  /** `local` (default: child processes on this machine) or `mpi` (default under mpirun/srun). */
  engine?: 'local' | 'mpi';
  /**
   * Silence (ms) after which a rank being waited for is declared hung; measured from when rank 0
   * has finished its own share. Default: derived from the steps — 10 × the slowest step seen,
   * and at least 60 s — so a loaded machine does not abort a healthy job.
   */
  timeoutMs?: number;
  /**
   * Modules every local worker imports before building its replica: the packages that register
   * custom layer classes (@rectifier/activations, @rectifier/architectures and
   * @rectifier/backend are imported already when installed). A package name must resolve from
   * this package, as the workers resolve it, or it is an argument error before any file is
   * written; a path or URL is the workers' to load.
   */
  workerImports?: readonly string[];
}

export const parallelOptionKeys = [
  'devices',
  'parallel',
  'engine',
  'timeoutMs',
  'workerImports',
] as const;

/** Start-up (imports, tfjs, model build) may take much longer than a step's silence. */
const START_TIMEOUT_MS = 120_000;

export interface ResolvedParallel {
  engine: 'local' | 'mpi';
  mode: ParallelMode;
  size: number;
  /** The caller's fixed timeout, or null: derived from the step times (collectiveTimeout.ts). */
  timeoutMs: number | null;
  imports: string[];
}

/** Checks the parallel options; null when the run is a single process. Touches nothing. */
export function resolveParallel(options: ParallelTrainOptions): ResolvedParallel | null {
  const mpi = launchedByMpi();
  const engine = options.engine ?? (mpi !== null ? 'mpi' : 'local');
  if (engine !== 'local' && engine !== 'mpi') {
    throw new TrainerArgumentError(
      `train: \`engine\` must be 'local' or 'mpi'. Received: engine=${JSON.stringify(engine)}`,
    );
  }
  if (engine === 'mpi') {
    const a = mpiAvailability();
    if (!a.available) throw new ParallelError(`train: engine 'mpi' is unavailable: ${a.reason}.`);
    if (mpi === null && (options.devices ?? 1) > 1) {
      throw new TrainerArgumentError(
        `train: engine 'mpi' runs one process per device started by MPI: launch with \`mpirun -np ${options.devices} node …\` (or srun) and leave \`devices\` out; or use engine: 'local' on one machine.`,
      );
    }
  }
  const mode = options.parallel ?? 'hybrid';
  if (mode !== 'hybrid' && mode !== 'data') {
    throw new TrainerArgumentError(
      `train: \`parallel\` must be 'hybrid' (the paper's) or 'data'. Received: parallel=${JSON.stringify(mode)}`,
    );
  }
  const devices = options.devices ?? (engine === 'mpi' ? (mpi?.size ?? 1) : 1);
  if (!Number.isInteger(devices) || devices < 1) {
    throw new TrainerArgumentError(
      `train: \`devices\` must be a positive integer. Received: devices=${String(devices)} (${typeof devices})`,
    );
  }
  if (engine === 'mpi' && mpi !== null && devices !== mpi.size) {
    throw new TrainerArgumentError(
      `train: \`devices\` (${devices}) differs from the MPI world size (${mpi.size}); leave \`devices\` out under mpirun/srun or launch with -np ${devices}.`,
    );
  }
  const timeoutMs = options.timeoutMs ?? null;
  if (timeoutMs !== null && (typeof timeoutMs !== 'number' || !(timeoutMs > 0))) {
    throw new TrainerArgumentError(
      `train: \`timeoutMs\` must be a positive number of milliseconds. Received: timeoutMs=${String(timeoutMs)}`,
    );
  }
  const imports = options.workerImports ?? [];
  if (!Array.isArray(imports) || imports.some((m) => typeof m !== 'string')) {
    throw new TrainerArgumentError(
      `train: \`workerImports\` must be an array of module names. Received: ${JSON.stringify(imports)}`,
    );
  }
  if (devices === 1 && engine === 'local') return null;
  if (engine === 'local') for (const m of imports) checkImportable(m);
  return { engine, mode, size: devices, timeoutMs, imports: [...imports] };
}

/**
 * Throws unless the package `specifier` names resolves from here (where worker.ts imports it), so
 * a misspelt package fails before any file is written rather than in every worker. An ESM-only
 * package is found by `require.resolve` but refused (ERR_PACKAGE_PATH_NOT_EXPORTED): it exists.
 * Paths and URLs are left to the workers, which report a module they cannot load.
 */
function checkImportable(specifier: string): void {
  if (/^(\.|\/|[a-z]+:)/i.test(specifier)) return;
  try {
    createRequire(here()).resolve(specifier);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return;
    throw new TrainerArgumentError(
      `train: \`workerImports\` names the package ${JSON.stringify(specifier)}, which the workers cannot import (${(e as Error).message.split('\n')[0]}). Install it beside @rectifier/trainer or fix the name${specifier.startsWith('@rectifier/') ? `; did you mean \`${closestName(specifier, layerPackages)}\`?` : '.'}`,
      { cause: e },
    );
  }
}

/** This module's URL in the ESM and CommonJS builds and as TypeScript source. */
function here(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/** The worker program next to this module, and the Node flags to run it (tsx from sources). */
function workerProgram(): { entry: string; execArgv: string[] } {
  const self = here();
  const ext = self.match(/\.(c?js|ts)$/)?.[1] ?? 'js';
  const entry = fileURLToPath(new URL(`./worker.${ext}`, self));
  if (ext !== 'ts') return { entry, execArgv: [] };
  const tsx = pathToFileURL(createRequire(self).resolve('tsx/esm')).href;
  return { entry, execArgv: ['--conditions=@rectifier/source', '--import', tsx] };
}

/**
 * GPU of a local worker. CUDA (tfjs-node-gpu): the rank-th of CUDA_VISIBLE_DEVICES if set, else
 * the rank itself. WebGPU: RECTIFIER_GPU = rank 0's index (its RECTIFIER_GPU, default 0) plus
 * the rank, which @rectifier/backend takes modulo the number of adapters.
 */
export function deviceEnv(
  rank: number,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const visible = env.CUDA_VISIBLE_DEVICES?.split(',').filter((d) => d !== '');
  const first = Number(env.RECTIFIER_GPU ?? 0);
  return {
    CUDA_VISIBLE_DEVICES: visible?.[rank] ?? String(rank),
    // An invalid value goes on as it is: rank 0's backend already refused it with its error.
    RECTIFIER_GPU:
      Number.isInteger(first) && first >= 0 ? String(first + rank) : String(env.RECTIFIER_GPU),
  };
}

/**
 * A running multi-device session as rank 0 sees it: an {@link Engine} whose `finish` ends the
 * workers and checks the replicas agree, and whose `fail` kills local workers (MPI_Abort).
 */
export interface ParallelSession extends Engine {
  readonly comm: Collectives;
  readonly stats: CommStats;
}

function replicaOf(
  mode: ParallelMode,
  parts: ModelParts,
  optimizer: SgdOptimizer,
  loss: LossFn,
): Replica {
  return {
    mode,
    trunk: parts.trunk,
    head: parts.head,
    shared: mode === 'hybrid' ? parts.trunkWeights : [...parts.trunkWeights, ...parts.headWeights],
    own: mode === 'hybrid' ? parts.headWeights : [],
    optimizer,
    loss,
  };
}

/**
 * Rank 0's start: starts the workers (local engine) or joins the MPI job, sends every rank the
 * weights and momentum buffers (after a resume: the checkpoint's), and returns the session.
 * `backend` is the name of what rank 0 runs (`onednn` for the engine under tfjs's `wasm`):
 * local workers select the same.
 * A worker that cannot start fails here, before step 1, with its own error.
 */
export async function startParallel(
  p: ResolvedParallel,
  parts: ModelParts,
  optimizer: SgdOptimizer,
  loss: LossFn,
  backend: string,
): Promise<ParallelSession> {
  if (p.mode === 'hybrid' && parts.trunk === null) {
    throw new TrainerArgumentError(
      "train: parallel 'hybrid' needs a model with a trunk and a head ({ trunk, head, model }, a BuiltModel); use parallel: 'data' for a single LayersModel.",
    );
  }
  if (p.engine === 'local' && p.mode === 'data' && loss !== softmaxCrossEntropy) {
    throw new TrainerArgumentError(
      "train: a custom `loss` cannot reach local workers, which run the head in parallel 'data'; use parallel: 'hybrid' (the head, and the loss, run on rank 0) or the mpi engine.",
    );
  }
  const replica = replicaOf(p.mode, parts, optimizer, loss);
  const timeout = new CollectiveTimeout(p.timeoutMs);
  let comm: Collectives;
  if (p.engine === 'local') {
    const program = workerProgram();
    comm = new LocalRoot({
      size: p.size,
      ...program,
      timeoutMs: timeout.ms,
      env: (r) => deviceEnv(r),
    });
  } else comm = await mpiCollectives(timeout.ms);
  const stats: CommStats = { lastMs: 0, totalMs: 0, steps: 0 };
  try {
    const init = initMessage(replica, backend, p.imports, p.engine === 'local');
    await comm.bcast(encodeJson(init));
    if (comm instanceof LocalRoot) {
      comm.timeoutMs = START_TIMEOUT_MS;
      await comm.barrier();
      comm.timeoutMs = timeout.ms;
    } else await comm.barrier();
    await sendInitialState(comm, replica, init);
  } catch (e) {
    comm.abort(String(e));
    await comm.close().catch(() => {});
    throw e;
  }
  return {
    comm,
    stats,
    async step(images, labels, info) {
      const t0 = performance.now();
      const g = await rootStep(comm, replica, images, labels, info, stats);
      timeout.observe(performance.now() - t0);
      comm.timeoutMs = timeout.ms;
      return g;
    },
    stepMetrics: () => ({ commMs: stats.lastMs }),
    async finish(step, summary) {
      await rootStop(comm, replica, step, summary);
      await comm.close();
    },
    async fail(reason) {
      comm.abort(reason);
      await comm.close().catch(() => {});
    },
  };
}

/**
 * What `train`/`resume` do on MPI ranks other than 0: join, take rank 0's weights, follow its
 * steps, and return the run's summary rank 0 sends at the end. Rank 0 alone reads and writes
 * the run directory.
 */
export async function followParallel<T>(
  p: ResolvedParallel,
  parts: ModelParts,
  optimizer: SgdOptimizer,
  loss: LossFn,
): Promise<T> {
  const timeout = new CollectiveTimeout(p.timeoutMs);
  const comm = await mpiCollectives(timeout.ms);
  const replica = replicaOf(p.mode, parts, optimizer, loss);
  replica.own = [];
  try {
    const init = await receiveInit(comm);
    // Bound to the shared weights alone (in hybrid mode rank 0 alone updates the head).
    replica.optimizer = replicaOptimizer(init, replica.shared);
    await comm.barrier();
    await receiveInitialState(comm, replica, init);
    const summary = (await workerLoop(comm, replica, timeout)) as T;
    await comm.close();
    return summary;
  } catch (e) {
    comm.abort(`rank ${comm.rank}: ${(e as Error).message}`);
    throw new ParallelError(
      `Rank ${comm.rank} failed: ${(e as Error).message}`,
      comm.rank,
      comm.context.step,
      {
        cause: e,
      },
    );
  }
}
