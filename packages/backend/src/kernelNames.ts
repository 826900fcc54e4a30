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
 * The gradient of ReLU (`alpha` 0) and of leaky ReLU in one kernel. Inputs `dy` and `x` (the
 * op's input, same shape); attrs {@link ReluGradAttrs}; output dx = dy·step(x, alpha) — the
 * product tfjs's own ReLU gradient forms from a `Step` and a `Multiply`, the same bits.
 */
export const ReluGrad = 'RectifierReluGrad';

/** Attributes of `ReluGrad`: the negative slope (0 for ReLU). */
export interface ReluGradAttrs {
  alpha: number;
}

/**
 * One parameter's update of Caffe's momentum SGD. Inputs `w`, `g`, `v`; attrs `learningRate`
 * (ε·lr_mult), `weightDecay` (λ·decay_mult), `momentum` (μ); outputs `[w', v']` with
 * v' = μ·v − ε·(g + λ·w), w' = w + v'.
 */
export const SgdUpdate = 'RectifierSgdUpdate';

/**
 * Spatial pyramid pooling's forward in one kernel. Input `x` [B, H, W, C]; attrs
 * {@link SppAttrs}; output [B, C·Σ n²]: level-major, bin row-major, channel — each bin's maximum
 * (NaN wins, as in PyTorch's adaptive max pooling).
 */
export const SppMaxPool = 'RectifierSppMaxPool';

/**
 * SPP's input gradient. Inputs `x` (the layer's input) and `dy` [B, C·Σ n²]; attrs
 * {@link SppAttrs}; output dx shaped like x, each bin's gradient added at the first position
 * (row-major in the bin) that holds its maximum — PyTorch's CPU tie rule.
 */
export const SppGrad = 'RectifierSppFirstMaximumGrad';

/** Attributes of `SppMaxPool` and `SppGrad`: the pyramid's levels and each level's bin edges. */
export interface SppAttrs {
  levels: number[];
  /** Per level, per bin: [first row, end row) — `binEdges(H, n, binning)` flattened. */
  rowEdges: number[];
  /** Per level, per bin: [first column, end column). */
  colEdges: number[];
}
