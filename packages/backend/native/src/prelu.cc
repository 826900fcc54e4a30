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

struct PreluForward : Entry {
  dnnl::prelu_forward primitive;
  PreluShape shape;
  explicit PreluForward(const std::vector<int64_t> &key) : shape(key) {
    auto pd = shape.forward(prop_kind::forward_training);
    primitive = dnnl::prelu_forward(pd);
    impl = pd.impl_info_str();
  }
};

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
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], F::count);
  auto key = sizesOf(p, F::rows);
  auto &e = cached<PreluForward>('u', key, [&] { return std::make_unique<PreluForward>(key); });
  const auto &s = e.shape;
  const int64_t n = product(s.data.dims()), slopes = product(s.weights.dims());
  run(e.primitive, {{DNNL_ARG_SRC, memory(s.data, cpu(), heap.at(p[F::x], n, "x"))},
                    {DNNL_ARG_WEIGHTS, memory(s.weights, cpu(), heap.at(p[F::alpha], slopes, "alpha"))},
                    {DNNL_ARG_DST, memory(s.data, cpu(), heap.at(p[F::y], n, "y"))}});
  return info.Env().Undefined();
}

namespace B = layout::PreluGrad;

Napi::Value PreluGradCall(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], B::count);
  auto key = sizesOf(p, B::rows);
  auto &e = cached<PreluBackward>('v', key, [&] { return std::make_unique<PreluBackward>(key); });
  const auto &s = e.shape;
  const int64_t n = product(s.data.dims()), slopes = product(s.weights.dims());
  run(e.primitive,
      {{DNNL_ARG_SRC, memory(s.data, cpu(), heap.at(p[B::x], n, "x"))},
       {DNNL_ARG_WEIGHTS, memory(s.weights, cpu(), heap.at(p[B::alpha], slopes, "alpha"))},
       {DNNL_ARG_DIFF_DST, memory(s.data, cpu(), heap.at(p[B::dy], n, "dy"))},
       {DNNL_ARG_DIFF_SRC, memory(s.data, cpu(), heap.at(p[B::dx], n, "dx"))},
       {DNNL_ARG_DIFF_WEIGHTS,
        memory(s.weights, cpu(), heap.at(p[B::dalpha], slopes, "dalpha"))}});
  return info.Env().Undefined();
}

}  // namespace

void exportPrelu(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "prelu", PreluCall);
  exportKernel(env, exports, "preluGrad", PreluGradCall);
}

}  // namespace rectifier
