// Elementwise kernels over big tensors, threaded: broadcasting add/subtract/multiply (oneDNN
// binary) and relu / leaky relu (oneDNN eltwise, AVX-512 where wasm runs one 128-bit lane);
// step and the relu gradient as plain loops, since oneDNN's eltwise has no tfjs NaN rule.
#include <omp.h>

#include <cstdint>
#include <cstring>

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

// y = x > 0 ? x : alpha·x over `size` floats: ReLU (alpha 0) and leaky ReLU.
struct Relu : Entry {
  dnnl::eltwise_forward primitive;
  memory::desc md;
  Relu(int64_t size, float alpha) {
    md = memory::desc({size}, dt::f32, tag::a);
    auto pd = dnnl::eltwise_forward::primitive_desc(
        dnnl::eltwise_forward::desc(prop_kind::forward_inference, algorithm::eltwise_relu, md,
                                    alpha),
        cpu());
    primitive = dnnl::eltwise_forward(pd);
    impl = pd.impl_info_str();
  }
};

Napi::Value ReluCall(const Napi::CallbackInfo &info) {
  Call call(info, R::count);
  const auto size = static_cast<int64_t>(call[R::size]);
  const float alpha = static_cast<float>(call[R::alpha]);
  // The slope is part of the primitive: its float bits join the cache key.
  uint32_t bits;
  std::memcpy(&bits, &alpha, sizeof bits);
  auto &e = cached<Relu>('r', {size, static_cast<int64_t>(bits)},
                         [&] { return std::make_unique<Relu>(size, alpha); });
  run(e.primitive, {{DNNL_ARG_SRC, call.tensor(e.md, R::x, "x")},
                    {DNNL_ARG_DST, call.tensor(e.md, R::y, "y")}});
  return info.Env().Undefined();
}

// tfjs's Step: x > 0 ? 1 : alpha, NaN stays NaN. Two selects and no branch (`x != x` for
// isnan), so the loops over it vectorise: with a branch on the sign of each value the pass ran
// ~5 ns per element, mostly mispredictions.
inline float step(float x, float alpha) {
  const float s = x > 0.f ? 1.f : alpha;
  return x != x ? x : s;
}

namespace S = layout::Step;

Napi::Value StepCall(const Napi::CallbackInfo &info) {
  Call call(info, S::count);
  const auto n = static_cast<int64_t>(call[S::size]);
  const float *x = call.at(S::x, n, "x");
  float *y = call.at(S::y, n, "y");
  const float alpha = static_cast<float>(call[S::alpha]);
#pragma omp parallel for schedule(static) if (n >= minThreaded)
  for (int64_t i = 0; i < n; i++) y[i] = step(x[i], alpha);
  return info.Env().Undefined();
}

namespace G = layout::ReluGrad;

// dx = dy·step(x, alpha): the product tfjs's ReLU gradient forms from a Step and a Multiply
// (the same bits), in one pass that reads two maps and writes one instead of three and two.
Napi::Value ReluGradCall(const Napi::CallbackInfo &info) {
  Call call(info, G::count);
  const auto n = static_cast<int64_t>(call[G::size]);
  const float *dy = call.at(G::dy, n, "dy");
  const float *x = call.at(G::x, n, "x");
  float *dx = call.at(G::dx, n, "dx");
  const float alpha = static_cast<float>(call[G::alpha]);
#pragma omp parallel for schedule(static) if (n >= minThreaded)
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * step(x[i], alpha);
  return info.Env().Undefined();
}

}  // namespace

void exportElementwise(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "binary", BinaryCall);
  exportKernel(env, exports, "relu", ReluCall);
  exportKernel(env, exports, "step", StepCall);
  exportKernel(env, exports, "reluGrad", ReluGradCall);
}

}  // namespace rectifier
