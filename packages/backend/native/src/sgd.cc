// One parameter's update of Caffe's momentum SGD (the paper's Eqn 4, learning rate inside the
// buffer) in one pass over w, g and v:
//   v' = μ·v − ε·(g + λ·w);   w' = w + v'
// (ε and λ already carry the parameter's lr_mult and decay_mult). The float32 operations and
// their order are those of @rectifier/trainer's composite update (no fused multiply-add:
// binding.gyp builds with -ffp-contract=off), so both give the same bits.
#include <omp.h>

#include "common.h"

namespace rectifier {
namespace {

namespace S = layout::SgdUpdate;

Napi::Value SgdUpdate(const Napi::CallbackInfo &info) {
  Call call(info, S::count);
  const auto n = static_cast<int64_t>(call[S::size]);
  const float *w = call.at(S::w, n, "w");
  const float *g = call.at(S::g, n, "g");
  const float *v = call.at(S::v, n, "v");
  float *wOut = call.at(S::wOut, n, "wOut");
  float *vOut = call.at(S::vOut, n, "vOut");
  const float lr = static_cast<float>(call[S::learningRate]);
  const float decay = static_cast<float>(call[S::weightDecay]);
  const float mu = static_cast<float>(call[S::momentum]);
  if (call[S::weightDecay] == 0.0) {
#pragma omp parallel for schedule(static) if (n >= minThreaded)
    for (int64_t i = 0; i < n; i++) {
      const float next = v[i] * mu - g[i] * lr;
      vOut[i] = next;
      wOut[i] = w[i] + next;
    }
  } else {
#pragma omp parallel for schedule(static) if (n >= minThreaded)
    for (int64_t i = 0; i < n; i++) {
      const float decayed = g[i] + w[i] * decay;
      const float next = v[i] * mu - decayed * lr;
      vOut[i] = next;
      wOut[i] = w[i] + next;
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void exportSgd(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "sgdUpdate", SgdUpdate);
}

}  // namespace rectifier
