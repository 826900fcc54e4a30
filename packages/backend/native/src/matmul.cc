// Batched product C[b] = op(A[b])·op(B[b]) (+ bias, relu) on oneDNN's matmul. Transposed
// operands are strides, never copies.
#include "common.h"

namespace rectifier {
namespace {

namespace M = layout::MatMul;

// Built from a key that starts at `batchA` (layouts.h, RECTIFIER_MATMUL).
struct MatMul : Entry {
  dnnl::matmul primitive;
  memory::desc a, b, c, bias;
  bool withBias;
  explicit MatMul(const std::vector<int64_t> &s) : withBias(s[M::withBias - M::batchA] != 0) {
    const auto at = [&](size_t field) { return s[field - M::batchA]; };
    const int64_t ba = at(M::batchA), bb = at(M::batchB), m = at(M::m), k = at(M::k),
                  n = at(M::n);
    const int64_t bc = ba > bb ? ba : bb;
    // A transposed is stored [k, m]: element (i, j) at j·m + i.
    a = memory::desc({ba, m, k}, dt::f32, at(M::transposeA) ? dims{m * k, 1, m} : dims{m * k, k, 1});
    b = memory::desc({bb, k, n}, dt::f32, at(M::transposeB) ? dims{k * n, 1, k} : dims{k * n, n, 1});
    c = memory::desc({bc, m, n}, dt::f32, dims{m * n, n, 1});
    bias = memory::desc({1, 1, n}, dt::f32, dims{n, n, 1});
    dnnl::primitive_attr attr;
    if (at(M::relu)) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    auto desc = withBias ? dnnl::matmul::desc(a, b, bias, c) : dnnl::matmul::desc(a, b, c);
    auto pd = dnnl::matmul::primitive_desc(desc, attr, cpu());
    primitive = dnnl::matmul(pd);
    impl = pd.impl_info_str();
  }
};

Napi::Value MatMulCall(const Napi::CallbackInfo &info) {
  Call call(info, M::count);
  auto &e = call.entry<MatMul>('m', M::batchA);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, call.tensor(e.a, M::a, "a")},
                                       {DNNL_ARG_WEIGHTS, call.tensor(e.b, M::b, "b")},
                                       {DNNL_ARG_DST, call.tensor(e.c, M::c, "c")}};
  if (e.withBias) args.emplace(DNNL_ARG_BIAS, call.tensor(e.bias, M::bias, "bias"));
  run(e.primitive, args);
  return info.Env().Undefined();
}

}  // namespace

void exportMatMul(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "matmul", MatMulCall);
}

}  // namespace rectifier
