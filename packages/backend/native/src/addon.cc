// Rectifier's oneDNN engine: kernels that read and write tfjs-backend-wasm's heap in place.
//
// The contract with the JS side (src/onednn/): every kernel takes the wasm heap (the
// ArrayBuffer behind WebAssembly.Memory; it is replaced when the memory grows, so the caller
// passes the current one on every call) and a Float64Array of parameters laid out as the
// kernel's table in layouts.h says: byte offsets of the tensors in the heap, then sizes and
// flags. Tensors are float32, NHWC activations and HWIO filters as tfjs lays them out. oneDNN
// primitives are built once per shape and kept. `layouts()` reports the tables, so the JS side
// can refuse a build whose tables differ from its own.
//
// oneDNN 2.x API (Debian/Ubuntu libdnnl-dev 2.6): an op descriptor, then
// primitive_desc(desc, engine[, forward hint]), then the primitive. One file per kernel family.
#include <omp.h>

#include "common.h"

namespace rectifier {
namespace {

Napi::Value SetThreads(const Napi::CallbackInfo &info) {
  const int threads = info[0].As<Napi::Number>().Int32Value();
  if (threads < 1) throw std::runtime_error("rectifier-onednn: threads must be >= 1");
  // oneDNN's OpenMP build parallelises over the calling thread's team; every call comes from
  // the JS thread, so setting it there sizes the pool for all primitives. A primitive splits its
  // work for the thread count it was created under and keeps that split: cached ones would go on
  // running on the old count, so a new count rebuilds them.
  if (threads != omp_get_max_threads()) cache().clear();
  omp_set_num_threads(threads);
  return info.Env().Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

Napi::Value Version(const Napi::CallbackInfo &info) {
  const dnnl_version_t *v = dnnl::version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) +
                                           "." + std::to_string(v->patch));
}

// The implementation oneDNN chose for every cached primitive, e.g. "brgconv:avx512_core".
Napi::Value Implementations(const Napi::CallbackInfo &info) {
  auto env = info.Env();
  auto out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto &[key, entry] : cache()) {
    auto row = Napi::Object::New(env);
    row.Set("kind", std::string(1, key.first));
    auto sizes = Napi::Array::New(env, key.second.size());
    for (uint32_t j = 0; j < key.second.size(); j++)
      sizes.Set(j, static_cast<double>(key.second[j]));
    row.Set("sizes", sizes);
    row.Set("impl", entry->impl);
    out.Set(i++, row);
  }
  return out;
}

Napi::Value ClearCache(const Napi::CallbackInfo &info) {
  cache().clear();
  return info.Env().Undefined();
}

// { conv2d: ['x', 'filter', …], … }: every kernel's parameter names in order (layouts.h).
Napi::Value Layouts(const Napi::CallbackInfo &info) {
  auto env = info.Env();
  auto out = Napi::Object::New(env);
#define RECTIFIER_NAME(name) #name,
#define RECTIFIER_TABLE(Type, js, TABLE)                            \
  {                                                                 \
    const char *names[] = {TABLE(RECTIFIER_NAME)};                  \
    auto list = Napi::Array::New(env);                              \
    for (uint32_t i = 0; i < layout::Type::count; i++) list.Set(i, names[i]); \
    out.Set(#js, list);                                             \
  }
  RECTIFIER_LAYOUTS(RECTIFIER_TABLE)
#undef RECTIFIER_TABLE
#undef RECTIFIER_NAME
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exportConvolutions(env, exports);
  exportMatMul(env, exports);
  exportPooling(env, exports);
  exportElementwise(env, exports);
  exportPrelu(env, exports);
  exportSgd(env, exports);
  exportSpp(env, exports);
  exportKernel(env, exports, "setThreads", SetThreads);
  exportKernel(env, exports, "threads", Threads);
  exportKernel(env, exports, "version", Version);
  exportKernel(env, exports, "implementations", Implementations);
  exportKernel(env, exports, "clearCache", ClearCache);
  exportKernel(env, exports, "layouts", Layouts);
  exports.Set("unimplementedStatus",
              Napi::Number::New(env, static_cast<double>(dnnl_unimplemented)));
  return exports;
}

}  // namespace
}  // namespace rectifier

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  return rectifier::Init(env, exports);
}

NODE_API_MODULE(rectifier_onednn, Init)
