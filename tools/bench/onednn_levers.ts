/**
 * CPU time of what issue 24's levers replaced, on the small net's shapes (width 0.5, batch 32),
 * oneDNN engine on vs off (wasm + Rectifier's kernels), one thread, median of 9. CPU time
 * (`process.cpuUsage`) rather than wall time, so that a shared machine's load counts less.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/onednn_levers.ts
 */
import { selectBackend } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import { setOneDnnEnabled } from '../../packages/backend/src/onednn/register';
import { fmt, ratio, table } from './timing';

await selectBackend({ prefer: 'onednn', threads: 1 });

/** Median CPU ms of `fn` (its outputs read back with a one-element slice, then freed). */
function cpuMs(fn: () => tf.Tensor[]): number {
  const once = () => {
    const c = process.cpuUsage();
    const out = tf.tidy(fn);
    for (const t of out) t.slice(0, 1).dataSync();
    const u = process.cpuUsage(c);
    tf.dispose(out);
    return (u.user + u.system) / 1000;
  };
  once();
  const times = Array.from({ length: 9 }, once).sort((a, b) => a - b);
  return times[4];
}

const maps = [
  [32, 53, 53, 32],
  [32, 17, 17, 64],
  [32, 8, 8, 128],
];
const rows: string[][] = [];
const compare = (label: string, fn: () => tf.Tensor[]) => {
  setOneDnnEnabled(false);
  const wasm = cpuMs(fn);
  setOneDnnEnabled(true);
  const onednn = cpuMs(fn);
  rows.push([label, fmt(wasm), fmt(onednn), ratio(wasm, onednn)]);
};

for (const shape of maps) {
  const x = tf.randomNormal(shape);
  const dy = tf.randomNormal(shape);
  const alpha = tf.fill([shape[3]], 0.25);
  compare(
    `PReLU gradient (dx, dα) [${shape}]`,
    () => tf.engine().runKernel('RectifierPreluGrad', { dy, x, alpha }) as tf.Tensor[],
  );
  compare(`PReLU forward [${shape}]`, () => [tf.prelu(x, alpha)]);
  compare(`relu mask: step [${shape}]`, () => [tf.step(x)]);
  tf.dispose([x, dy, alpha]);
}
for (const shape of [
  [6400, 1024],
  [2, 2, 128, 128],
]) {
  const [w, g, v] = [0, 1, 2].map(() => tf.randomNormal(shape));
  compare(
    `SGD update, one kernel [${shape}]`,
    () =>
      tf
        .engine()
        .runKernel(
          'RectifierSgdUpdate',
          { w, g, v },
          { learningRate: 0.01, weightDecay: 5e-4, momentum: 0.9 },
        ) as tf.Tensor[],
  );
  // What `SgdOptimizer.apply` ran before the kernel: six ops (big ones on oneDNN's binary).
  compare(`SGD update, six tfjs ops [${shape}]`, () => {
    const next = v.mul(tf.scalar(0.9)).sub(g.add(w.mul(5e-4)).mul(0.01));
    return [w.add(next), next];
  });
  tf.dispose([w, g, v]);
}

table(['op', 'wasm (engine off), CPU ms', 'oneDNN engine, CPU ms', 'wasm / oneDNN'], rows);
