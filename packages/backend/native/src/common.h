// What every kernel file of the addon shares: the engine and stream, bounds-checked access to
// the wasm heap, parameter parsing by layout (layouts.h), and the primitive cache.
#pragma once

#include <dnnl.hpp>
#include <napi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "layouts.h"

namespace rectifier {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using dims = memory::dims;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine &cpu();
dnnl::stream &queue();

struct Heap {
  uint8_t *base;
  size_t bytes;

  // A pointer to `floats` float32 values at byte `offset`, checked against the heap's end so
  // a wrong offset is an exception rather than a write outside the wasm memory.
  float *at(double offset, int64_t floats, const char *what) const;
};

Heap heapOf(const Napi::Value &value);

// A call's Float64Array: exactly `count` values, or at least `count` when `atLeast` (layouts
// followed by rank-many dims).
std::vector<double> paramsOf(const Napi::Value &value, size_t count, bool atLeast = false);

// The sizes from index `from` on, as the primitive cache's key.
std::vector<int64_t> sizesOf(const std::vector<double> &params, size_t from);

int64_t product(const dims &d);

// Below this many floats, a plain loop runs faster on one thread than waking the OpenMP team.
constexpr int64_t minThreaded = 1 << 15;

// Dense row-major (tfjs's layout) memory of any rank.
memory::desc plain(const dims &d);

// A cached primitive; `impl` is the implementation oneDNN picked for it.
struct Entry {
  virtual ~Entry() = default;
  std::string impl;
};

// An entry holding one forward primitive, built from a shape whose `forward(kind)` gives its
// primitive_desc (pooling's and PReLU's forward kernels).
template <class Shape, class Primitive, prop_kind Kind>
struct ForwardEntry : Entry {
  Primitive primitive;
  Shape shape;
  explicit ForwardEntry(const std::vector<int64_t> &key) : shape(key) {
    auto pd = shape.forward(Kind);
    primitive = Primitive(pd);
    impl = pd.impl_info_str();
  }
};

using CacheKey = std::pair<char, std::vector<int64_t>>;
std::map<CacheKey, std::unique_ptr<Entry>> &cache();

// Primitives by kind and shape, built on first use. Calls come from the JS thread only, one at
// a time.
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

  void prepare(const memory::desc &user, const memory::desc &preferred, bool toUser);
};

void run(dnnl::primitive &primitive, const std::unordered_map<int, memory> &args);

// One kernel call: the heap and the parameters of a layout with `count` fields (at least that
// many when `atLeast`), with the tensors and cached primitive they name.
struct Call {
  Heap heap;
  std::vector<double> p;

  Call(const Napi::CallbackInfo &info, size_t count, bool atLeast = false)
      : heap(heapOf(info[0])), p(paramsOf(info[1], count, atLeast)) {}

  double operator[](size_t field) const { return p[field]; }

  // The `floats` values of the tensor whose offset is parameter `field`.
  float *at(size_t field, int64_t floats, const char *what) const {
    return heap.at(p[field], floats, what);
  }

  // The tensor whose offset is parameter `field`, as a memory of `desc` (checked to fit).
  memory tensor(const memory::desc &desc, size_t field, const char *what) const {
    int64_t n = 1;
    for (auto d : desc.dims()) n *= d;
    return memory(desc, cpu(), heap.at(p[field], n, what));
  }

  // The primitive of `kind` for the sizes from parameter `from` on, built on first use.
  template <typename T>
  T &entry(char kind, size_t from) const {
    auto key = sizesOf(p, from);
    return cached<T>(kind, key, [&] { return std::make_unique<T>(key); });
  }
};

// Every exported kernel, by the name the JS side calls it.
using Kernel = Napi::Value (*)(const Napi::CallbackInfo &);
void exportKernel(Napi::Env env, Napi::Object exports, const char *name, Kernel kernel);

// The kernel families (one file each) add their entry points to the addon's exports.
void exportConvolutions(Napi::Env env, Napi::Object exports);
void exportMatMul(Napi::Env env, Napi::Object exports);
void exportPooling(Napi::Env env, Napi::Object exports);
void exportElementwise(Napi::Env env, Napi::Object exports);
void exportPrelu(Napi::Env env, Napi::Object exports);
void exportSgd(Napi::Env env, Napi::Object exports);
void exportSpp(Napi::Env env, Napi::Object exports);

}  // namespace rectifier
