import * as tf from '@tensorflow/tfjs';
import { launchedByMpi } from '../parallel/mpi';
import { followParallel, type ResolvedParallel, startParallel } from '../parallel/start';
import type { TrainSummary } from '../runRecords';
import type { TrainPlan } from '../trainOptions';
import type { Engine } from './engine';
import { singleProcessEngine } from './singleProcessEngine';

/**
 * The engine `plan` asks for: one process, or (`devices` > 1, or under mpirun/srun) a session
 * that has started the workers and sent them the weights as they stand (after a resume: the
 * checkpoint's). The one place that chooses between them.
 */
export async function startEngine(plan: TrainPlan): Promise<Engine> {
  if (plan.multi === null) return singleProcessEngine(plan.parts, plan.loss, plan.accumulate);
  const { optimizer, backendName } = plan.options;
  return startParallel(
    plan.multi,
    plan.parts,
    optimizer,
    plan.loss,
    backendName ?? tf.getBackend(),
  );
}

/** MPI ranks other than 0 follow rank 0's steps and never touch the run directory. */
export function isFollower(plan: TrainPlan): plan is TrainPlan & { multi: ResolvedParallel } {
  return plan.multi?.engine === 'mpi' && (launchedByMpi()?.rank ?? 0) !== 0;
}

/** What `train`/`resume` do on a follower rank: returns the summary rank 0 sends at the end. */
export function follow(plan: TrainPlan & { multi: ResolvedParallel }): Promise<TrainSummary> {
  const { multi, parts, options, loss } = plan;
  return followParallel<TrainSummary>(multi, parts, options.optimizer, loss);
}
