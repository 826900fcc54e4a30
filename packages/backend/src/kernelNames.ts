/**
 * Kernels Rectifier adds to the wasm backend under its own names (tfjs has no such op). The
 * packages that call them — @rectifier/activations' PReLU gradient, @rectifier/trainer's SGD
 * update — spell the same names and use them only where a backend has registered them, so
 * every other backend keeps their composite form.
 */

/**
 * PReLU's gradient in one kernel. Inputs `dy`, `x`, `alpha` (the op's input and slopes);
 * outputs `[dx, dalpha]`, dalpha shaped like alpha (He et al. 2015, Eqn 2–3).
 */
export const PreluGrad = 'RectifierPreluGrad';

/**
 * One parameter's update of Caffe's momentum SGD. Inputs `w`, `g`, `v`; attrs `learningRate`
 * (ε·lr_mult), `weightDecay` (λ·decay_mult), `momentum` (μ); outputs `[w', v']` with
 * v' = μ·v − ε·(g + λ·w), w' = w + v'.
 */
export const SgdUpdate = 'RectifierSgdUpdate';
