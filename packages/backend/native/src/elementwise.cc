// Elementwise kernels over big tensors: broadcasting add/subtract/multiply (oneDNN binary),
// relu (oneDNN eltwise) and step (a plain loop: oneDNN has no such eltwise), threaded and
// AVX-512 where wasm runs one 128-bit lane.
#include <omp.h>

#include <cmath>

#include "common.h"

namespace rectifier {
namespace {

namespace B = layout::Binary;

// c = a ∘ b, b broadcast over a's shape (its size-1 dimensions). Built from a key that starts
// at `algorithm` (0 add, 1 subtract, 2 multiply), then rank, a's dims, b's dims.
struct Binary : Entry {
  dnnl::binary primitive;
  memory::desc a, b;
  explicit Binary(const std::vector<int64_t> &s) {
    const int64_t rank = s[B::rank - B::algorithm];
    const auto first = s.begin() + (B::count - B::algorithm);
    a = plain(dims(first, first + rank));
    b = plain(dims(first + rank, first + 2 * rank));
    const int64_t op = s[0];
    const algorithm alg = op == 0   ? algorithm::binary_add
                          : op == 1 ? algorithm::binary_sub
                                    : algorithm::binary_mul;
    auto pd = dnnl::binary::primitive_desc(dnnl::binary::desc(alg, a, b, a), cpu());
    primitive = dnnl::binary(pd);
    impl = pd.impl_info_str();
  }
};

Napi::Value BinaryCall(const Napi::CallbackInfo &info) {
  Call call(info, B::count, true);
  if (call.p.size() != B::count + 2 * static_cast<size_t>(call[B::rank])) {
    throw std::runtime_error("rectifier-onednn: binary expects its layout then 2·rank dims");
  }
  auto &e = call.entry<Binary>('b', B::algorithm);
  run(e.primitive, {{DNNL_ARG_SRC_0, call.tensor(e.a, B::a, "a")},
                    {DNNL_ARG_SRC_1, call.tensor(e.b, B::b, "b")},
                    {DNNL_ARG_DST, call.tensor(e.a, B::c, "c")}});
  return info.Env().Undefined();
}

namespace R = layout::Relu;

// y = max(x, 0) over `size` floats.
struct Relu : Entry {
  dnnl::eltwise_forward primitive;
  memory::desc md;
  explicit Relu(const std::vector<int64_t> &s) {
    md = memory::desc({s[0]}, dt::f32, tag::a);
    auto pd = dnnl::eltwise_forward::primitive_desc(
        dnnl::eltwise_forward::desc(prop_kind::forward_inference, algorithm::eltwise_relu, md,
                                    0.f),
        cpu());
    primitive = dnnl::eltwise_forward(pd);
    impl = pd.impl_info_str();
  }
};

Napi::Value ReluCall(const Napi::CallbackInfo &info) {
  Call call(info, R::count);
  auto &e = call.entry<Relu>('r', R::size);
  run(e.primitive, {{DNNL_ARG_SRC, call.tensor(e.md, R::x, "x")},
                    {DNNL_ARG_DST, call.tensor(e.md, R::y, "y")}});
  return info.Env().Undefined();
}

namespace S = layout::Step;

Napi::Value StepCall(const Napi::CallbackInfo &info) {
  Call call(info, S::count);
  const auto n = static_cast<int64_t>(call[S::size]);
  const float *x = call.at(S::x, n, "x");
  float *y = call.at(S::y, n, "y");
  const float alpha = static_cast<float>(call[S::alpha]);
#pragma omp parallel for schedule(static) if (n >= minThreaded)
  for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.f ? 1.f : (std::isnan(x[i]) ? x[i] : alpha);
  return info.Env().Undefined();
}

}  // namespace

void exportElementwise(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "binary", BinaryCall);
  exportKernel(env, exports, "relu", ReluCall);
  exportKernel(env, exports, "step", StepCall);
}

}  // namespace rectifier
