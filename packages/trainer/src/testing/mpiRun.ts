/**
 * One rank of the mpi engine's equivalence test (parallel/mpi.test.ts), started by mpirun:
 *
 *   mpirun -np N node --conditions=@rectifier/source --import tsx/esm mpiRun.ts <runDir> <hybrid|data> <out.f32> [kill]
 *
 * With `kill`, rank 1 writes its pid to <out.f32>.pid and rank 0 SIGKILLs it after step 2 (the
 * fault test: mpirun must end the whole job). With `hang`, rank 0 SIGSTOPs rank 1 after step 2
 * (ranks other than 0 run no hooks) and the collectives time out after 4 s (rank 0 must abort the job, its checkpoints kept).
 * With `uneven`, every rank runs on wasm, 17 images in batches of 16 for 2 epochs (the last
 * batch of each epoch leaves every rank but 0 with an empty shard).
 * Every rank trains the tiny net of the local engine's test (the mpi engine and the rank come
 * from mpirun's environment); rank 0 writes the final weights, float32 little-endian in the
 * model's weight order, to <out.f32>.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { train } from '../run';
import { sgd } from '../sgd';
import { tinyLoader, tinyNet } from './tinyNet';

const [runDir, parallel, out, fault] = process.argv.slice(2);
const kill = fault === 'kill';
const hang = fault === 'hang';
const uneven = fault === 'uneven';
if (uneven) await selectBackend({ prefer: 'wasm' });
else await tf.setBackend('cpu');
const rank = process.env.OMPI_COMM_WORLD_RANK;
if ((kill || hang) && rank === '1') writeFileSync(`${out}.pid`, String(process.pid));
const model = tinyNet();
const summary = await train({
  model,
  optimizer: sgd({ learningRate: 0.05 }),
  trainLoader: uneven ? tinyLoader({ size: 17, batchSize: 16 }) : tinyLoader({ size: 40 }),
  epochs: uneven ? 2 : 1,
  seed: 7,
  quiet: true,
  runDir,
  parallel: parallel as 'hybrid' | 'data',
  ...(hang ? { timeoutMs: 4000, checkpointEvery: { steps: 1 } } : {}),
  hooks: {
    afterStep: (step) => {
      if ((kill || hang) && rank === '0' && step === 2) {
        process.kill(Number(readFileSync(`${out}.pid`, 'utf8')), kill ? 'SIGKILL' : 'SIGSTOP');
      }
    },
  },
});
if (process.env.OMPI_COMM_WORLD_RANK === '0') {
  const parts = model.model.weights.map((w) => w.read().dataSync() as Float32Array);
  writeFileSync(
    out,
    Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))),
  );
}
process.stdout.write(`rank ${process.env.OMPI_COMM_WORLD_RANK} steps ${summary.steps}\n`);
