/**
 * The program of a `local` worker (ranks 1…n−1), started by rank 0 with its socket pair on
 * fd 3. It builds its replica from rank 0's init message (topologies, optimizer multipliers),
 * takes rank 0's weights and momentum buffers, then follows rank 0's steps until `stop`. Any
 * error is reported to rank 0 (which names this worker and the step) and ends the process.
 */
import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '../loss';
import { namedWeights } from '../weights';
import { layerPackages } from './layerPackages';
import { LocalWorker } from './local';
import { type Replica, receiveInit, receiveInitialState, replicaOptimizer } from './replica';
import { workerLoop } from './replicaStep';
import { watchParent } from './watchdog';

const rank = Number(process.env.RECTIFIER_LOCAL_RANK);
const size = Number(process.env.RECTIFIER_LOCAL_SIZE);
const comm = new LocalWorker(rank, size);
watchParent(Number(process.env.RECTIFIER_PARENT_PID));

async function main(): Promise<void> {
  const init = await receiveInit(comm);
  const loaded: Record<string, unknown> = {};
  // The packages that register layer classes and kernels, when installed (tried in order).
  for (const m of layerPackages) {
    try {
      loaded[m] = await import(m);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
  }
  for (const m of init.imports) await import(m);
  const backend = loaded['@rectifier/backend'] as
    | {
        selectBackend?: (o: {
          prefer: string;
          threads: number;
          allowSoftwareAdapter?: boolean;
        }) => Promise<unknown>;
      }
    | undefined;
  // The name selectBackend gives what runs: the oneDNN engine is `onednn` under tfjs's `wasm`.
  let selected: string | undefined;
  if (init.backend !== 'cpu' && backend?.selectBackend) {
    const select = backend.selectBackend;
    // one worker per core: a pool per worker would oversubscribe the cores
    const options = { prefer: init.backend, threads: 1 };
    // The adapter is the one at RECTIFIER_GPU (start.ts sets it per rank). A GPU's first, as
    // rank 0 chose; only a machine whose one adapter is a software one (rank 0 was then allowed
    // it: webgpu is never chosen otherwise) leaves that one.
    const info = (await (init.backend === 'webgpu'
      ? select(options).catch(() => select({ ...options, allowSoftwareAdapter: true }))
      : select(options))) as { name?: string } | undefined;
    selected = info?.name;
  }
  if ((selected ?? tf.getBackend()) !== init.backend && !(await tf.setBackend(init.backend))) {
    throw new Error(`backend "${init.backend}" (rank 0's) is not available here`);
  }
  const build = async (topology: unknown) =>
    topology === null
      ? null
      : await tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON);
  const trunk = await build(init.trunk);
  const head = await build(init.head);
  const shared = [
    ...(trunk === null ? [] : namedWeights(trunk)),
    ...(head === null ? [] : namedWeights(head)),
  ];
  const optimizer = replicaOptimizer(init, shared);
  const replica: Replica = {
    mode: init.mode,
    trunk,
    head,
    shared,
    own: [],
    optimizer,
    loss: softmaxCrossEntropy,
  };
  await comm.barrier(); // ready: rank 0 times the start-up on this
  await receiveInitialState(comm, replica, init);
  await workerLoop(comm, replica);
  await comm.close();
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    comm.reportError(`failed: ${e.message}`);
    // Let the error frame leave before the socket closes.
    setTimeout(() => process.exit(1), 100);
  },
);
