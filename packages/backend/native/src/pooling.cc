// Max pooling and its gradient, NHWC, on oneDNN's pooling primitives.
#include "common.h"

namespace rectifier {
namespace {

namespace G = layout::PoolGeometry;

// Built from a key that is the geometry (layouts.h, RECTIFIER_POOL_GEOMETRY).
struct Pool {
  memory::desc src, dst;
  dims strides, kernel, padL, padR;
  explicit Pool(const std::vector<int64_t> &g) {
    src = memory::desc({g[G::batch], g[G::channels], g[G::inHeight], g[G::inWidth]}, dt::f32,
                       tag::nhwc);
    dst = memory::desc({g[G::batch], g[G::channels], g[G::outHeight], g[G::outWidth]}, dt::f32,
                       tag::nhwc);
    kernel = {g[G::filterHeight], g[G::filterWidth]};
    strides = {g[G::strideHeight], g[G::strideWidth]};
    padL = {g[G::padTop], g[G::padLeft]};
    padR = {g[G::padBottom], g[G::padRight]};
  }
  dnnl::pooling_forward::primitive_desc forward(prop_kind kind) const {
    return dnnl::pooling_forward::primitive_desc(
        dnnl::pooling_forward::desc(kind, algorithm::pooling_max, src, dst, strides, kernel,
                                    padL, padR),
        cpu());
  }
};

using PoolForward = ForwardEntry<Pool, dnnl::pooling_forward, prop_kind::forward_inference>;

// The gradient re-runs the forward pass for oneDNN's arg-max workspace (tfjs hands over x and
// y, not the positions), then scatters dy through it.
struct PoolBackward : Entry {
  dnnl::pooling_forward forward;
  dnnl::pooling_backward backward;
  Pool pool;
  memory workspace, scratchDst;
  explicit PoolBackward(const std::vector<int64_t> &key) : pool(key) {
    auto fwd = pool.forward(prop_kind::forward_training);
    auto desc = dnnl::pooling_backward::desc(algorithm::pooling_max, pool.src, pool.dst,
                                             pool.strides, pool.kernel, pool.padL, pool.padR);
    auto pd = dnnl::pooling_backward::primitive_desc(desc, cpu(), fwd);
    forward = dnnl::pooling_forward(fwd);
    backward = dnnl::pooling_backward(pd);
    workspace = memory(fwd.workspace_desc(), cpu());
    scratchDst = memory(pool.dst, cpu());
    impl = pd.impl_info_str();
  }
};

namespace F = layout::MaxPool;

Napi::Value MaxPool(const Napi::CallbackInfo &info) {
  Call call(info, F::count);
  auto &e = call.entry<PoolForward>('p', F::batch);
  run(e.primitive, {{DNNL_ARG_SRC, call.tensor(e.shape.src, F::x, "x")},
                    {DNNL_ARG_DST, call.tensor(e.shape.dst, F::y, "y")}});
  return info.Env().Undefined();
}

namespace B = layout::MaxPoolGrad;

Napi::Value MaxPoolGrad(const Napi::CallbackInfo &info) {
  Call call(info, B::count);
  auto &e = call.entry<PoolBackward>('q', B::batch);
  run(e.forward, {{DNNL_ARG_SRC, call.tensor(e.pool.src, B::x, "x")},
                  {DNNL_ARG_DST, e.scratchDst},
                  {DNNL_ARG_WORKSPACE, e.workspace}});
  run(e.backward, {{DNNL_ARG_DIFF_DST, call.tensor(e.pool.dst, B::dy, "dy")},
                   {DNNL_ARG_WORKSPACE, e.workspace},
                   {DNNL_ARG_DIFF_SRC, call.tensor(e.pool.src, B::dx, "dx")}});
  return info.Env().Undefined();
}

}  // namespace

void exportPooling(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "maxPool", MaxPool);
  exportKernel(env, exports, "maxPoolGrad", MaxPoolGrad);
}

}  // namespace rectifier
