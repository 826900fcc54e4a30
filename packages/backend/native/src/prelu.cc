// PReLU (He et al. 2015, Eqn 1–3) on oneDNN's prelu primitives, x seen as [rows, channels]
// (channels last, as tfjs lays out NHWC maps and dense outputs):
//   y = x > 0 ? x : a·x
//   dx = dy · (x > 0 ? 1 : a);   da = Σ_{positions sharing a} dy · (x > 0 ? 0 : x)
// The backward pass gives dx and da in one primitive (one read of x and dy), where the op's
// composite gradient takes five elementwise passes and a reduction.
#include "common.h"

namespace rectifier {
namespace {

// The data and weight descriptors of a key {rows, channels, sharedSlope}.
struct PreluShape {
  memory::desc data, weights;
  explicit PreluShape(const std::vector<int64_t> &s) {
    data = memory::desc({s[0], s[1]}, dt::f32, tag::ab);
    weights = memory::desc({1, s[2] ? 1 : s[1]}, dt::f32, tag::ab);
  }
  dnnl::prelu_forward::primitive_desc forward(prop_kind kind) const {
    return dnnl::prelu_forward::primitive_desc(dnnl::prelu_forward::desc(kind, data, weights),
                                               cpu());
  }
};

using PreluForward = ForwardEntry<PreluShape, dnnl::prelu_forward, prop_kind::forward_training>;

struct PreluBackward : Entry {
  dnnl::prelu_backward primitive;
  PreluShape shape;
  explicit PreluBackward(const std::vector<int64_t> &key) : shape(key) {
    auto hint = shape.forward(prop_kind::forward_training);
    auto desc = dnnl::prelu_backward::desc(shape.data, shape.weights, shape.data, shape.weights);
    auto pd = dnnl::prelu_backward::primitive_desc(desc, cpu(), hint);
    primitive = dnnl::prelu_backward(pd);
    impl = pd.impl_info_str();
  }
};

namespace F = layout::Prelu;

Napi::Value PreluCall(const Napi::CallbackInfo &info) {
  Call call(info, F::count);
  auto &e = call.entry<PreluForward>('u', F::rows);
  const auto &s = e.shape;
  run(e.primitive, {{DNNL_ARG_SRC, call.tensor(s.data, F::x, "x")},
                    {DNNL_ARG_WEIGHTS, call.tensor(s.weights, F::alpha, "alpha")},
                    {DNNL_ARG_DST, call.tensor(s.data, F::y, "y")}});
  return info.Env().Undefined();
}

namespace B = layout::PreluGrad;

Napi::Value PreluGradCall(const Napi::CallbackInfo &info) {
  Call call(info, B::count);
  auto &e = call.entry<PreluBackward>('v', B::rows);
  const auto &s = e.shape;
  run(e.primitive, {{DNNL_ARG_SRC, call.tensor(s.data, B::x, "x")},
                    {DNNL_ARG_WEIGHTS, call.tensor(s.weights, B::alpha, "alpha")},
                    {DNNL_ARG_DIFF_DST, call.tensor(s.data, B::dy, "dy")},
                    {DNNL_ARG_DIFF_SRC, call.tensor(s.data, B::dx, "dx")},
                    {DNNL_ARG_DIFF_WEIGHTS, call.tensor(s.weights, B::dalpha, "dalpha")}});
  return info.Env().Undefined();
}

}  // namespace

void exportPrelu(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "prelu", PreluCall);
  exportKernel(env, exports, "preluGrad", PreluGradCall);
}

}  // namespace rectifier
