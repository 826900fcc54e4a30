import * as tf from '@tensorflow/tfjs';
import { ActivationArgumentError } from './errors';

/**
 * Sums `g` (shaped like the op's input) down to `shape`, the shape `alpha` had before it was
 * broadcast: over every leading axis `alpha` lacks and every axis where `alpha` has size 1.
 */
function sumToShape(g: tf.Tensor, shape: number[]): tf.Tensor {
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return (axes.length > 0 ? g.sum(axes) : g).reshape(shape);
}

function checkAlpha(x: tf.Tensor, alpha: tf.Tensor): void {
  const ok =
    alpha.rank <= x.rank &&
    alpha.shape.every((d, i) => d === 1 || d === x.shape[x.rank - alpha.rank + i]);
  if (!ok) {
    throw new ActivationArgumentError(
      `Argument \`alpha\` must broadcast to the trailing axes of \`x\` (a scalar for a ` +
        `channel-shared slope, or [channels] for channel-wise slopes). ` +
        `Received: alpha.shape=[${alpha.shape}], x.shape=[${x.shape}].`,
    );
  }
}

/**
 * The whole gradient as one kernel, where a backend registers it: @rectifier/backend does on
 * wasm (a one-call composite; one pass of oneDNN's PReLU backward primitive under its engine).
 * Inputs dy, x, alpha; outputs [dx, dalpha], the same values as the composite below.
 */
const preluGradKernel = 'RectifierPreluGrad';

// customGrad passes the inputs and then `save` as one rest parameter list.
const preluWithGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, alpha, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, alpha]);
  return {
    // Eqn 1: f(y) = max(0, y) + a·min(0, y). tfjs's fused Prelu kernel computes the same thing.
    value: tf.prelu(x, alpha),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [y, a] = saved;
      if (tf.getKernel(preluGradKernel, tf.getBackend()) !== undefined) {
        return tf.engine().runKernel(preluGradKernel, { dy, x: y, alpha: a }) as tf.Tensor[];
      }
      // Split dy by the sign of y: step(y) is 1 for y > 0 and 0 otherwise (y = 0 goes with the
      // negative side, as in PyTorch). Both parts are exact (dy − dy·1 = 0, dy − dy·0 = dy).
      // Five cheap elementwise ops; tf.where / tf.minimum against a scalar cost 2–5× more on wasm.
      const dyPos = tf.mul(dy, tf.step(y, 0));
      const dyNeg = tf.sub(dy, dyPos);
      // ∂f/∂y = 1 for y > 0, a otherwise.
      const dx = tf.add(dyPos, tf.mul(dyNeg, a));
      // Eqn 2–3: ∂E/∂a = Σ over every position the slope is shared by of ∂E/∂f · min(0, y).
      const da = sumToShape(tf.mul(dyNeg, y), a.shape);
      return [dx, da];
    },
  };
});

/**
 * PReLU as an op with its own gradient (He et al. 2015, Eqn 1–3).
 *
 *   f(y_i) = max(0, y_i) + a_i · min(0, y_i)
 *   ∂E/∂y_i = ∂E/∂f · (y_i > 0 ? 1 : a_i)
 *   ∂E/∂a   = Σ_{positions sharing a} ∂E/∂f · min(0, y)
 *
 * Shapes: `x` any rank, channels last (NHWC maps, [batch, units] dense outputs). `alpha` is a
 * scalar (channel-shared: the slope gradient sums over positions *and* channels) or `[channels]`
 * (channel-wise: sums over batch and spatial positions); any shape that broadcasts to the
 * trailing axes of `x` is accepted.
 */
export function preluOp<T extends tf.Tensor>(x: T, alpha: tf.Tensor): T {
  checkAlpha(x, alpha);
  return preluWithGrad(x, alpha) as T;
}
