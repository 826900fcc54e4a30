import { preluOp, reluOp } from '@rectifier/activations';
import { spp as sppLayer } from '@rectifier/architectures';
import * as tf from '@tensorflow/tfjs';

/**
 * The small net of paper Table 1 as plain ops over variables, at a benchmark scale: width ×0.5,
 * fc 1024, 10 classes, input 112. Mirrors tools/bench/small_net_torch.py layer for layer.
 * Map sizes at 112: conv1 7×7/2 valid → 53; pool 3/3 → 17; pool 2/2 → 8; SPP {6,3,2,1}.
 */
export interface SmallNetConfig {
  width: number;
  fc: number;
  classes: number;
  input: number;
  /** 'prelu' gives every activation a channel-wise slope (init 0.25). */
  activation: 'relu' | 'prelu';
}

export const benchConfig: SmallNetConfig = {
  width: 0.5,
  fc: 1024,
  classes: 10,
  input: 112,
  activation: 'relu',
};

const levels = [6, 3, 2, 1];
const pyramid = sppLayer({ levels });
const spp = (x: tf.Tensor4D) => pyramid.apply(x) as tf.Tensor2D;

interface Conv {
  w: tf.Variable;
  b: tf.Variable;
  alpha?: tf.Variable;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
}

export function buildSmallNet(config: SmallNetConfig) {
  const c1 = Math.round(64 * config.width);
  const c2 = Math.round(128 * config.width);
  const c3 = Math.round(256 * config.width);
  const he = (shape: number[], fanIn: number) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn)));
  const conv = (
    k: number,
    cin: number,
    cout: number,
    stride = 1,
    pad: 'same' | 'valid' = 'same',
  ): Conv => ({
    w: he([k, k, cin, cout], k * k * cin),
    b: tf.variable(tf.zeros([cout])),
    alpha: config.activation === 'prelu' ? tf.variable(tf.fill([cout], 0.25)) : undefined,
    k,
    stride,
    pad,
  });
  const convs = [
    conv(7, 3, c1, 2, 'valid'),
    ...Array.from({ length: 4 }, (_, i) => conv(2, i === 0 ? c1 : c2, c2)),
    ...Array.from({ length: 6 }, (_, i) => conv(2, i === 0 ? c2 : c3, c3)),
  ];
  const sppFeatures = c3 * levels.reduce((s, n) => s + n * n, 0);
  const dense = (cin: number, cout: number, std: number) => ({
    w: tf.variable(tf.randomNormal([cin, cout], 0, std)),
    b: tf.variable(tf.zeros([cout])),
  });
  const fcs = [
    dense(sppFeatures, config.fc, 0.01),
    dense(config.fc, config.fc, 0.01),
    dense(config.fc, config.classes, 0.001),
  ];

  // As the architectures' layers: bias fused into the conv, except at the stem, whose fused
  // form would also compute the image's gradient (tfjs's fused conv does); then the
  // activation as @rectifier/activations' op (one kernel for its gradient).
  const act = (x: tf.Tensor4D, layer: Conv) => {
    const y =
      layer === convs[0]
        ? tf.conv2d(x, layer.w as tf.Tensor4D, layer.stride, layer.pad).add(layer.b)
        : tf.fused.conv2d({
            x,
            filter: layer.w as tf.Tensor4D,
            bias: layer.b,
            strides: layer.stride,
            pad: layer.pad,
          });
    return (layer.alpha ? preluOp(y, layer.alpha) : reluOp(y)) as tf.Tensor4D;
  };

  function logits(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    let h = act(x, convs[0]);
    h = tf.maxPool(h, 3, 3, 'valid');
    for (let i = 1; i <= 4; i++) h = act(h, convs[i]);
    h = tf.maxPool(h, 2, 2, 'valid');
    for (let i = 5; i <= 10; i++) h = act(h, convs[i]);
    let f: tf.Tensor2D = spp(h);
    for (let i = 0; i < 2; i++) {
      f = reluOp(tf.fused.matMul({ a: f, b: fcs[i].w as tf.Tensor2D, bias: fcs[i].b }));
      if (training) f = tf.dropout(f, 0.5);
    }
    return tf.fused.matMul({ a: f, b: fcs[2].w as tf.Tensor2D, bias: fcs[2].b });
  }

  const variables = [
    ...convs.flatMap((c) => [c.w, c.b, ...(c.alpha ? [c.alpha] : [])]),
    ...fcs.flatMap((f) => [f.w, f.b]),
  ];
  // Names and kinds for Rectifier's optimizer (slopes and biases decay-free, as the trainer has it).
  const kind = (v: tf.Variable) =>
    convs.some((c) => c.alpha === v) ? 'slope' : v.rank === 1 ? 'bias' : 'weight';
  const named = variables.map((variable, i) => ({
    name: `v${i}`,
    kind: kind(variable) as 'weight' | 'bias' | 'slope',
    variable,
  }));
  return { logits, variables, named };
}
