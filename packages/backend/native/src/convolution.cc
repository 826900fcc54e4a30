// Forward convolution (bias and relu fused) and both of its gradients. x NHWC and W HWIO as
// tfjs lays them out; the filter is reordered into the layout the primitive prefers on each
// call (it changes every training step), the filter gradient reordered back to HWIO.
#include "common.h"

namespace rectifier {
namespace {

namespace G = layout::ConvGeometry;

// The geometry the JS side computes from tfjs's conv info (layouts.h, RECTIFIER_CONV_GEOMETRY),
// read from a cache key that starts with it.
struct Conv {
  memory::desc src, dst, weightsUser, weightsAny, bias;
  dims strides, dilation, padL, padR;

  explicit Conv(const std::vector<int64_t> &g) {
    const int64_t b = g[G::batch], ci = g[G::inChannels], co = g[G::outChannels];
    src = memory::desc({b, ci, g[G::inHeight], g[G::inWidth]}, dt::f32, tag::nhwc);
    dst = memory::desc({b, co, g[G::outHeight], g[G::outWidth]}, dt::f32, tag::nhwc);
    const dims w{co, ci, g[G::filterHeight], g[G::filterWidth]};
    weightsUser = memory::desc(w, dt::f32, tag::hwio);
    weightsAny = memory::desc(w, dt::f32, tag::any);
    bias = memory::desc({co}, dt::f32, tag::x);
    strides = {g[G::strideHeight], g[G::strideWidth]};
    // oneDNN counts the gaps between taps.
    dilation = {g[G::dilationHeight] - 1, g[G::dilationWidth] - 1};
    padL = {g[G::padTop], g[G::padLeft]};
    padR = {g[G::padBottom], g[G::padRight]};
  }

  dnnl::convolution_forward::primitive_desc forward(bool withBias, bool relu) const {
    dnnl::primitive_attr attr;
    if (relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    auto desc = withBias
                    ? dnnl::convolution_forward::desc(
                          prop_kind::forward_training, algorithm::convolution_direct, src,
                          weightsAny, bias, dst, strides, dilation, padL, padR)
                    : dnnl::convolution_forward::desc(
                          prop_kind::forward_training, algorithm::convolution_direct, src,
                          weightsAny, dst, strides, dilation, padL, padR);
    return dnnl::convolution_forward::primitive_desc(desc, attr, cpu());
  }
};

namespace F = layout::Conv2D;

struct ConvForward : Entry {
  dnnl::convolution_forward primitive;
  Conv conv;
  Staged weights;
  bool withBias;
  explicit ConvForward(const std::vector<int64_t> &key)
      : conv(key), withBias(key[F::withBias - F::batch] != 0) {
    auto pd = conv.forward(withBias, key[F::relu - F::batch] != 0);
    primitive = dnnl::convolution_forward(pd);
    weights.prepare(conv.weightsUser, pd.weights_desc(), false);
    impl = pd.impl_info_str();
  }
};

namespace I = layout::Conv2DBackpropInput;
namespace W = layout::Conv2DBackpropFilter;

// Both gradients build the same way: one desc over the geometry, hinted by the forward primitive.
// Backward data reads the filter (staged into the primitive's layout before the call); backward
// weights writes it (staged, then reordered back to HWIO after the call).
template <class Primitive, bool WritesWeights>
struct ConvBackward : Entry {
  Primitive primitive;
  Conv conv;
  Staged weights;
  explicit ConvBackward(const std::vector<int64_t> &key) : conv(key) {
    auto hint = conv.forward(false, false);
    typename Primitive::desc desc(algorithm::convolution_direct, conv.src, conv.weightsAny,
                                  conv.dst, conv.strides, conv.dilation, conv.padL, conv.padR);
    typename Primitive::primitive_desc pd(desc, cpu(), hint);
    primitive = Primitive(pd);
    if constexpr (WritesWeights) {
      weights.prepare(conv.weightsUser, pd.diff_weights_desc(), true);
    } else {
      weights.prepare(conv.weightsUser, pd.weights_desc(), false);
    }
    impl = pd.impl_info_str();
  }
};

using ConvBackwardData = ConvBackward<dnnl::convolution_backward_data, false>;
using ConvBackwardWeights = ConvBackward<dnnl::convolution_backward_weights, true>;

Napi::Value Conv2D(const Napi::CallbackInfo &info) {
  Call call(info, F::count);
  auto &e = call.entry<ConvForward>('c', F::batch);
  const auto &c = e.conv;
  auto w = call.tensor(c.weightsUser, F::filter, "filter");
  if (e.weights.needed) e.weights.reorder.execute(queue(), w, e.weights.staging);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, call.tensor(c.src, F::x, "x")},
                                       {DNNL_ARG_WEIGHTS, e.weights.needed ? e.weights.staging : w},
                                       {DNNL_ARG_DST, call.tensor(c.dst, F::y, "y")}};
  if (e.withBias) args.emplace(DNNL_ARG_BIAS, call.tensor(c.bias, F::bias, "bias"));
  run(e.primitive, args);
  return info.Env().Undefined();
}

Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo &info) {
  Call call(info, I::count);
  auto &e = call.entry<ConvBackwardData>('i', I::batch);
  const auto &c = e.conv;
  auto w = call.tensor(c.weightsUser, I::filter, "filter");
  if (e.weights.needed) e.weights.reorder.execute(queue(), w, e.weights.staging);
  run(e.primitive, {{DNNL_ARG_DIFF_DST, call.tensor(c.dst, I::dy, "dy")},
                    {DNNL_ARG_WEIGHTS, e.weights.needed ? e.weights.staging : w},
                    {DNNL_ARG_DIFF_SRC, call.tensor(c.src, I::dx, "dx")}});
  return info.Env().Undefined();
}

Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo &info) {
  Call call(info, W::count);
  auto &e = call.entry<ConvBackwardWeights>('f', W::batch);
  const auto &c = e.conv;
  auto dw = call.tensor(c.weightsUser, W::dw, "dw");
  run(e.primitive, {{DNNL_ARG_SRC, call.tensor(c.src, W::x, "x")},
                    {DNNL_ARG_DIFF_DST, call.tensor(c.dst, W::dy, "dy")},
                    {DNNL_ARG_DIFF_WEIGHTS, e.weights.needed ? e.weights.staging : dw}});
  if (e.weights.needed) {
    e.weights.reorder.execute(queue(), e.weights.staging, dw);
    queue().wait();
  }
  return info.Env().Undefined();
}

}  // namespace

void exportConvolutions(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "conv2d", Conv2D);
  exportKernel(env, exports, "conv2dBackpropInput", Conv2DBackpropInput);
  exportKernel(env, exports, "conv2dBackpropFilter", Conv2DBackpropFilter);
}

}  // namespace rectifier
