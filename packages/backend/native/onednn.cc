// Rectifier's oneDNN engine: convolution, matmul and max-pooling kernels that read and write
// tfjs-backend-wasm's heap in place.
//
// Every entry point takes the wasm heap (the ArrayBuffer behind WebAssembly.Memory; it is
// replaced when the memory grows, so the caller passes the current one on every call) and a
// Float64Array of parameters: byte offsets of the tensors in the heap, then the sizes. Tensors
// are float32, NHWC activations and HWIO filters as tfjs lays them out. oneDNN primitives are
// built once per shape and kept; weights are reordered into the layout the primitive prefers on
// each call (a filter changes every training step).
//
// oneDNN 2.x API (Debian/Ubuntu libdnnl-dev 2.6): an op descriptor, then
// primitive_desc(desc, engine[, forward hint]), then the primitive.

#include <dnnl.hpp>
#include <napi.h>
#include <omp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using dims = memory::dims;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &queue() {
  static dnnl::stream stream(cpu());
  return stream;
}

struct Heap {
  uint8_t *base;
  size_t bytes;

  // A pointer to `floats` float32 values at byte `offset`, checked against the heap's end so
  // a wrong offset is an exception rather than a write outside the wasm memory.
  float *at(double offset, int64_t floats, const char *what) const {
    if (offset < 0 || offset + 4.0 * floats > static_cast<double>(bytes) ||
        static_cast<int64_t>(offset) % 4 != 0) {
      throw std::runtime_error(std::string("rectifier-onednn: tensor `") + what +
                               "` lies outside the wasm heap (offset " +
                               std::to_string(offset) + ", " + std::to_string(floats) +
                               " floats, heap " + std::to_string(bytes) + " bytes)");
    }
    return reinterpret_cast<float *>(base + static_cast<size_t>(offset));
  }
};

Heap heapOf(const Napi::Value &value) {
  if (!value.IsArrayBuffer()) {
    throw std::runtime_error(
        "rectifier-onednn: the wasm heap must be an ArrayBuffer (the non-threaded wasm build); "
        "a SharedArrayBuffer heap cannot be addressed from Node-API");
  }
  auto buffer = value.As<Napi::ArrayBuffer>();
  return {static_cast<uint8_t *>(buffer.Data()), buffer.ByteLength()};
}

std::vector<double> paramsOf(const Napi::Value &value, size_t count) {
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw std::runtime_error("rectifier-onednn: parameters must be a Float64Array");
  }
  auto array = value.As<Napi::Float64Array>();
  if (array.ElementLength() != count) {
    throw std::runtime_error("rectifier-onednn: expected " + std::to_string(count) +
                             " parameters, got " + std::to_string(array.ElementLength()));
  }
  return std::vector<double>(array.Data(), array.Data() + count);
}

// For calls whose parameter count depends on a rank: at least `min` parameters.
std::vector<double> paramsOfAtLeast(const Napi::Value &value, size_t min) {
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw std::runtime_error("rectifier-onednn: parameters must be a Float64Array");
  }
  auto array = value.As<Napi::Float64Array>();
  if (array.ElementLength() < min) {
    throw std::runtime_error("rectifier-onednn: expected at least " + std::to_string(min) +
                             " parameters, got " + std::to_string(array.ElementLength()));
  }
  return std::vector<double>(array.Data(), array.Data() + array.ElementLength());
}

std::vector<int64_t> sizesOf(const std::vector<double> &params, size_t from) {
  std::vector<int64_t> out;
  for (size_t i = from; i < params.size(); i++) out.push_back(static_cast<int64_t>(params[i]));
  return out;
}

int64_t product(const dims &d) {
  int64_t p = 1;
  for (auto v : d) p *= v;
  return p;
}

// Primitives by kind and shape. Calls come from the JS thread only, one at a time.
struct Entry {
  virtual ~Entry() = default;
  std::string impl;
};

std::map<std::pair<char, std::vector<int64_t>>, std::unique_ptr<Entry>> &cache() {
  static std::map<std::pair<char, std::vector<int64_t>>, std::unique_ptr<Entry>> entries;
  return entries;
}

template <typename T, typename Make>
T &cached(char kind, const std::vector<int64_t> &key, Make make) {
  auto &entries = cache();
  auto found = entries.find({kind, key});
  if (found != entries.end()) return static_cast<T &>(*found->second);
  auto entry = make();
  T &ref = *entry;
  entries.emplace(std::make_pair(kind, key), std::move(entry));
  return ref;
}

// A memory object in a primitive's preferred layout and the reorder that fills it from (or
// empties it into) the user's plain layout; `needed` is false when the layouts agree.
struct Staged {
  bool needed = false;
  memory staging;
  dnnl::reorder reorder;

  void prepare(const memory::desc &user, const memory::desc &preferred, bool toUser) {
    needed = user != preferred;
    if (!needed) return;
    staging = memory(preferred, cpu());
    reorder = toUser ? dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), preferred, cpu(), user))
                     : dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), user, cpu(), preferred));
  }
};

// 2-D convolution geometry, as the JS side computes it from tfjs's conv info:
// b, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pad top, bottom, left, right.
struct Conv {
  memory::desc src, dst, weightsUser, weightsAny, bias;
  dims strides, dilation, padL, padR;

  explicit Conv(const std::vector<int64_t> &g) {
    const int64_t b = g[0], h = g[1], w = g[2], ci = g[3], oh = g[4], ow = g[5], co = g[6],
                  kh = g[7], kw = g[8];
    src = memory::desc({b, ci, h, w}, dt::f32, tag::nhwc);
    dst = memory::desc({b, co, oh, ow}, dt::f32, tag::nhwc);
    weightsUser = memory::desc({co, ci, kh, kw}, dt::f32, tag::hwio);
    weightsAny = memory::desc({co, ci, kh, kw}, dt::f32, tag::any);
    bias = memory::desc({co}, dt::f32, tag::x);
    strides = {g[9], g[10]};
    dilation = {g[11] - 1, g[12] - 1};  // oneDNN counts the gaps between taps
    padL = {g[13], g[15]};
    padR = {g[14], g[16]};
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

constexpr size_t convSizes = 17;

struct ConvForward : Entry {
  dnnl::convolution_forward primitive;
  Conv conv;
  Staged weights;
  bool withBias;
  explicit ConvForward(const std::vector<int64_t> &key) : conv(key), withBias(key[17] != 0) {
    auto pd = conv.forward(withBias, key[18] != 0);
    primitive = dnnl::convolution_forward(pd);
    weights.prepare(conv.weightsUser, pd.weights_desc(), false);
    impl = pd.impl_info_str();
  }
};

struct ConvBackwardData : Entry {
  dnnl::convolution_backward_data primitive;
  Conv conv;
  Staged weights;
  explicit ConvBackwardData(const std::vector<int64_t> &key) : conv(key) {
    auto hint = conv.forward(false, false);
    auto desc = dnnl::convolution_backward_data::desc(algorithm::convolution_direct, conv.src,
                                                      conv.weightsAny, conv.dst, conv.strides,
                                                      conv.dilation, conv.padL, conv.padR);
    auto pd = dnnl::convolution_backward_data::primitive_desc(desc, cpu(), hint);
    primitive = dnnl::convolution_backward_data(pd);
    weights.prepare(conv.weightsUser, pd.weights_desc(), false);
    impl = pd.impl_info_str();
  }
};

struct ConvBackwardWeights : Entry {
  dnnl::convolution_backward_weights primitive;
  Conv conv;
  Staged weights;
  explicit ConvBackwardWeights(const std::vector<int64_t> &key) : conv(key) {
    auto hint = conv.forward(false, false);
    auto desc = dnnl::convolution_backward_weights::desc(
        algorithm::convolution_direct, conv.src, conv.weightsAny, conv.dst, conv.strides,
        conv.dilation, conv.padL, conv.padR);
    auto pd = dnnl::convolution_backward_weights::primitive_desc(desc, cpu(), hint);
    primitive = dnnl::convolution_backward_weights(pd);
    weights.prepare(conv.weightsUser, pd.diff_weights_desc(), true);
    impl = pd.impl_info_str();
  }
};

void run(dnnl::primitive &primitive, const std::unordered_map<int, memory> &args) {
  primitive.execute(queue(), args);
  queue().wait();
}

// conv2d(heap, [x, filter, bias (or -1), y offsets, geometry..., withBias, relu])
Napi::Value Conv2D(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], 4 + convSizes + 2);
  auto key = sizesOf(p, 4);
  auto &e = cached<ConvForward>('c', key, [&] { return std::make_unique<ConvForward>(key); });
  const auto &c = e.conv;
  memory x(c.src, cpu(), heap.at(p[0], product(c.src.dims()), "x"));
  memory w(c.weightsUser, cpu(), heap.at(p[1], product(c.weightsUser.dims()), "filter"));
  memory y(c.dst, cpu(), heap.at(p[3], product(c.dst.dims()), "y"));
  if (e.weights.needed) {
    e.weights.reorder.execute(queue(), w, e.weights.staging);
  }
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, e.weights.needed ? e.weights.staging : w},
      {DNNL_ARG_DST, y}};
  if (e.withBias) {
    args.emplace(DNNL_ARG_BIAS, memory(c.bias, cpu(), heap.at(p[2], c.bias.dims()[0], "bias")));
  }
  run(e.primitive, args);
  return info.Env().Undefined();
}

// conv2dBackpropInput(heap, [dy, filter, dx offsets, geometry...])
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], 3 + convSizes);
  auto key = sizesOf(p, 3);
  auto &e =
      cached<ConvBackwardData>('i', key, [&] { return std::make_unique<ConvBackwardData>(key); });
  const auto &c = e.conv;
  memory dy(c.dst, cpu(), heap.at(p[0], product(c.dst.dims()), "dy"));
  memory w(c.weightsUser, cpu(), heap.at(p[1], product(c.weightsUser.dims()), "filter"));
  memory dx(c.src, cpu(), heap.at(p[2], product(c.src.dims()), "dx"));
  if (e.weights.needed) e.weights.reorder.execute(queue(), w, e.weights.staging);
  run(e.primitive, {{DNNL_ARG_DIFF_DST, dy},
                    {DNNL_ARG_WEIGHTS, e.weights.needed ? e.weights.staging : w},
                    {DNNL_ARG_DIFF_SRC, dx}});
  return info.Env().Undefined();
}

// conv2dBackpropFilter(heap, [x, dy, dw offsets, geometry...])
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], 3 + convSizes);
  auto key = sizesOf(p, 3);
  auto &e = cached<ConvBackwardWeights>(
      'f', key, [&] { return std::make_unique<ConvBackwardWeights>(key); });
  const auto &c = e.conv;
  memory x(c.src, cpu(), heap.at(p[0], product(c.src.dims()), "x"));
  memory dy(c.dst, cpu(), heap.at(p[1], product(c.dst.dims()), "dy"));
  memory dw(c.weightsUser, cpu(), heap.at(p[2], product(c.weightsUser.dims()), "dw"));
  run(e.primitive, {{DNNL_ARG_SRC, x},
                    {DNNL_ARG_DIFF_DST, dy},
                    {DNNL_ARG_DIFF_WEIGHTS, e.weights.needed ? e.weights.staging : dw}});
  if (e.weights.needed) {
    e.weights.reorder.execute(queue(), e.weights.staging, dw);
    queue().wait();
  }
  return info.Env().Undefined();
}

// Batched product C[b] = op(A[b])·op(B[b]) (+ bias, relu). Sizes: batch of A, batch of B (one
// of them 1, or equal), m, k, n, transposeA, transposeB, withBias, relu.
struct MatMul : Entry {
  dnnl::matmul primitive;
  memory::desc a, b, c, bias;
  bool withBias;
  explicit MatMul(const std::vector<int64_t> &s) : withBias(s[7] != 0) {
    const int64_t ba = s[0], bb = s[1], m = s[2], k = s[3], n = s[4];
    const int64_t bc = ba > bb ? ba : bb;
    // A transposed is stored [k, m]: element (i, j) at j·m + i.
    a = memory::desc({ba, m, k}, dt::f32, s[5] ? dims{m * k, 1, m} : dims{m * k, k, 1});
    b = memory::desc({bb, k, n}, dt::f32, s[6] ? dims{k * n, 1, k} : dims{k * n, n, 1});
    c = memory::desc({bc, m, n}, dt::f32, dims{m * n, n, 1});
    bias = memory::desc({1, 1, n}, dt::f32, dims{n, n, 1});
    dnnl::primitive_attr attr;
    if (s[8]) {
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

// matmul(heap, [a, b, bias (or -1), c offsets, sizes...])
Napi::Value MatMulCall(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], 4 + 9);
  auto key = sizesOf(p, 4);
  auto &e = cached<MatMul>('m', key, [&] { return std::make_unique<MatMul>(key); });
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, memory(e.a, cpu(), heap.at(p[0], product(e.a.dims()), "a"))},
      {DNNL_ARG_WEIGHTS, memory(e.b, cpu(), heap.at(p[1], product(e.b.dims()), "b"))},
      {DNNL_ARG_DST, memory(e.c, cpu(), heap.at(p[3], product(e.c.dims()), "c"))}};
  if (e.withBias) {
    args.emplace(DNNL_ARG_BIAS, memory(e.bias, cpu(), heap.at(p[2], e.bias.dims()[2], "bias")));
  }
  run(e.primitive, args);
  return info.Env().Undefined();
}

// Max pooling: b, h, w, c, oh, ow, kh, kw, sh, sw, pad top, bottom, left, right.
struct Pool {
  memory::desc src, dst;
  dims strides, kernel, padL, padR;
  explicit Pool(const std::vector<int64_t> &g) {
    src = memory::desc({g[0], g[3], g[1], g[2]}, dt::f32, tag::nhwc);
    dst = memory::desc({g[0], g[3], g[4], g[5]}, dt::f32, tag::nhwc);
    kernel = {g[6], g[7]};
    strides = {g[8], g[9]};
    padL = {g[10], g[12]};
    padR = {g[11], g[13]};
  }
  dnnl::pooling_forward::primitive_desc forward(prop_kind kind) const {
    return dnnl::pooling_forward::primitive_desc(
        dnnl::pooling_forward::desc(kind, algorithm::pooling_max, src, dst, strides, kernel,
                                    padL, padR),
        cpu());
  }
};

constexpr size_t poolSizes = 14;

struct PoolForward : Entry {
  dnnl::pooling_forward primitive;
  Pool pool;
  explicit PoolForward(const std::vector<int64_t> &key) : pool(key) {
    auto pd = pool.forward(prop_kind::forward_inference);
    primitive = dnnl::pooling_forward(pd);
    impl = pd.impl_info_str();
  }
};

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

// maxPool(heap, [x, y offsets, sizes...])
Napi::Value MaxPool(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], 2 + poolSizes);
  auto key = sizesOf(p, 2);
  auto &e = cached<PoolForward>('p', key, [&] { return std::make_unique<PoolForward>(key); });
  const auto &g = e.pool;
  run(e.primitive,
      {{DNNL_ARG_SRC, memory(g.src, cpu(), heap.at(p[0], product(g.src.dims()), "x"))},
       {DNNL_ARG_DST, memory(g.dst, cpu(), heap.at(p[1], product(g.dst.dims()), "y"))}});
  return info.Env().Undefined();
}

// maxPoolGrad(heap, [x, dy, dx offsets, sizes...])
Napi::Value MaxPoolGrad(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], 3 + poolSizes);
  auto key = sizesOf(p, 3);
  auto &e = cached<PoolBackward>('q', key, [&] { return std::make_unique<PoolBackward>(key); });
  const auto &g = e.pool;
  run(e.forward,
      {{DNNL_ARG_SRC, memory(g.src, cpu(), heap.at(p[0], product(g.src.dims()), "x"))},
       {DNNL_ARG_DST, e.scratchDst},
       {DNNL_ARG_WORKSPACE, e.workspace}});
  run(e.backward,
      {{DNNL_ARG_DIFF_DST, memory(g.dst, cpu(), heap.at(p[1], product(g.dst.dims()), "dy"))},
       {DNNL_ARG_WORKSPACE, e.workspace},
       {DNNL_ARG_DIFF_SRC, memory(g.src, cpu(), heap.at(p[2], product(g.src.dims()), "dx"))}});
  return info.Env().Undefined();
}

// Dense row-major (tfjs's layout) memory of any rank.
memory::desc plain(const dims &d) {
  dims strides(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; i--) strides[i] = strides[i + 1] * d[i + 1];
  return memory::desc(d, dt::f32, strides);
}

// c = a ∘ b elementwise, b broadcast over a's shape (its size-1 dimensions). Sizes: algorithm
// (0 add, 1 subtract, 2 multiply), rank r, a's r dims, b's r dims.
struct Binary : Entry {
  dnnl::binary primitive;
  memory::desc a, b;
  explicit Binary(const std::vector<int64_t> &s) {
    const int64_t rank = s[1];
    a = plain(dims(s.begin() + 2, s.begin() + 2 + rank));
    b = plain(dims(s.begin() + 2 + rank, s.begin() + 2 + 2 * rank));
    const algorithm alg = s[0] == 0   ? algorithm::binary_add
                          : s[0] == 1 ? algorithm::binary_sub
                                      : algorithm::binary_mul;
    auto pd = dnnl::binary::primitive_desc(dnnl::binary::desc(alg, a, b, a), cpu());
    primitive = dnnl::binary(pd);
    impl = pd.impl_info_str();
  }
};

// binary(heap, [a, b, c offsets, sizes...])
Napi::Value BinaryCall(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOfAtLeast(info[1], 5);
  if (p.size() != 5 + 2 * static_cast<size_t>(p[4])) {
    throw std::runtime_error("rectifier-onednn: binary expects 5 + 2·rank parameters");
  }
  auto key = sizesOf(p, 3);
  auto &e = cached<Binary>('b', key, [&] { return std::make_unique<Binary>(key); });
  const int64_t n = product(e.a.dims());
  run(e.primitive, {{DNNL_ARG_SRC_0, memory(e.a, cpu(), heap.at(p[0], n, "a"))},
                    {DNNL_ARG_SRC_1, memory(e.b, cpu(), heap.at(p[1], product(e.b.dims()), "b"))},
                    {DNNL_ARG_DST, memory(e.a, cpu(), heap.at(p[2], n, "c"))}});
  return info.Env().Undefined();
}

// y = max(x, 0) over n floats.
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

// relu(heap, [x, y offsets, n])
Napi::Value ReluCall(const Napi::CallbackInfo &info) {
  auto heap = heapOf(info[0]);
  auto p = paramsOf(info[1], 3);
  auto key = sizesOf(p, 2);
  auto &e = cached<Relu>('r', key, [&] { return std::make_unique<Relu>(key); });
  run(e.primitive, {{DNNL_ARG_SRC, memory(e.md, cpu(), heap.at(p[0], key[0], "x"))},
                    {DNNL_ARG_DST, memory(e.md, cpu(), heap.at(p[1], key[0], "y"))}});
  return info.Env().Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo &info) {
  const int threads = info[0].As<Napi::Number>().Int32Value();
  if (threads < 1) throw std::runtime_error("rectifier-onednn: threads must be >= 1");
  // oneDNN's OpenMP build parallelises over the calling thread's team; every call comes from
  // the JS thread, so setting it there sizes the pool for all primitives.
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

// oneDNN's exceptions become JS errors carrying its status (`unimplemented` means no
// implementation exists for that shape: the JS side then falls back to wasm).
template <Napi::Value (*Fn)(const Napi::CallbackInfo &)>
Napi::Value guarded(const Napi::CallbackInfo &info) {
  try {
    return Fn(info);
  } catch (const dnnl::error &e) {
    auto error = Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
    error.Set("status", Napi::Number::New(info.Env(), static_cast<double>(e.status)));
    error.ThrowAsJavaScriptException();
  } catch (const std::exception &e) {
    Napi::Error::New(info.Env(), e.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New<guarded<Conv2D>>(env));
  exports.Set("conv2dBackpropInput", Napi::Function::New<guarded<Conv2DBackpropInput>>(env));
  exports.Set("conv2dBackpropFilter", Napi::Function::New<guarded<Conv2DBackpropFilter>>(env));
  exports.Set("matmul", Napi::Function::New<guarded<MatMulCall>>(env));
  exports.Set("maxPool", Napi::Function::New<guarded<MaxPool>>(env));
  exports.Set("maxPoolGrad", Napi::Function::New<guarded<MaxPoolGrad>>(env));
  exports.Set("binary", Napi::Function::New<guarded<BinaryCall>>(env));
  exports.Set("relu", Napi::Function::New<guarded<ReluCall>>(env));
  exports.Set("setThreads", Napi::Function::New<guarded<SetThreads>>(env));
  exports.Set("threads", Napi::Function::New<guarded<Threads>>(env));
  exports.Set("version", Napi::Function::New<guarded<Version>>(env));
  exports.Set("implementations", Napi::Function::New<guarded<Implementations>>(env));
  exports.Set("clearCache", Napi::Function::New<guarded<ClearCache>>(env));
  exports.Set("unimplementedStatus",
              Napi::Number::New(env, static_cast<double>(dnnl_unimplemented)));
  return exports;
}

}  // namespace

NODE_API_MODULE(rectifier_onednn, Init)
