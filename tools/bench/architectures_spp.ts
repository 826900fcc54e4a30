/**
 * Spatial pyramid pooling, forward and forward+backward, on wasm (with Rectifier's training
 * kernels) vs PyTorch's adaptive_max_pool2d (CPU, same thread count) measured in the same run.
 *
 *   npx tsx --conditions=@rectifier/source tools/bench/architectures_spp.ts [--repeats 5]
 */
import { execFileSync } from 'node:child_process';
import { registerWasmTrainingKernels } from '@rectifier/backend';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spp } from '../../packages/architectures/src/spatialPyramidPooling';
import { fmt, ratio, table, timeMs } from './timing';

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 5;

const cases: Array<{ name: string; shape: [number, number, number, number]; levels: number[] }> = [
  { name: 'small net, CPU scale (8×8, {6,3,2,1})', shape: [32, 8, 8, 128], levels: [6, 3, 2, 1] },
  { name: 'model A, CPU scale (7×7, {7,3,2,1})', shape: [32, 7, 7, 64], levels: [7, 3, 2, 1] },
  { name: 'small net at 224 (18×18, {6,3,2,1})', shape: [8, 18, 18, 256], levels: [6, 3, 2, 1] },
  { name: 'model A at 224 (14×14, {7,3,2,1})', shape: [8, 14, 14, 512], levels: [7, 3, 2, 1] },
  { name: 'model A dense at 384 (24×24)', shape: [1, 24, 24, 512], levels: [7, 3, 2, 1] },
];

const torchScript = `
import json, sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(1)
cases, repeats = json.loads(sys.argv[1]), int(sys.argv[2])
def spp(x, levels):
    return torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in levels], 1)
def med(f):
    f(); ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1000)
    return sorted(ts)[len(ts) // 2]
out = []
for c in cases:
    b, h, w, ch = c['shape']
    x = torch.randn(b, ch, h, w, requires_grad=True)
    fwd = med(lambda: spp(x, c['levels']))
    def fb():
        x.grad = None
        spp(x, c['levels']).sum().backward()
    out.append([fwd, med(fb)])
print(json.dumps(out))
`;

async function main() {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  const torch = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', torchScript, JSON.stringify(cases), String(repeats)], {
      encoding: 'utf8',
    }),
  ) as number[][];
  const rows = cases.map((c, i) => {
    const layer = spp({ levels: c.levels });
    const x = tf.randomNormal(c.shape);
    const fwd = timeMs(() => layer.apply(x) as tf.Tensor, repeats);
    const fb = timeMs(
      () => tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).sum())(x),
      repeats,
    );
    x.dispose();
    return [
      c.name,
      c.shape.join('×'),
      fmt(fwd),
      fmt(torch[i][0]),
      ratio(fwd, torch[i][0]),
      fmt(fb),
      fmt(torch[i][1]),
      ratio(fb, torch[i][1]),
    ];
  });
  table(['case', 'NHWC', 'fwd ms', 'torch fwd', 'ratio', 'fwd+bwd ms', 'torch', 'ratio'], rows);
}

void main();
