#include "common.h"

namespace rectifier {

dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &queue() {
  static dnnl::stream stream(cpu());
  return stream;
}

float *Heap::at(double offset, int64_t floats, const char *what) const {
  if (offset < 0 || offset + 4.0 * floats > static_cast<double>(bytes) ||
      static_cast<int64_t>(offset) % 4 != 0) {
    throw std::runtime_error(std::string("rectifier-onednn: tensor `") + what +
                             "` lies outside the wasm heap (offset " + std::to_string(offset) +
                             ", " + std::to_string(floats) + " floats, heap " +
                             std::to_string(bytes) + " bytes)");
  }
  return reinterpret_cast<float *>(base + static_cast<size_t>(offset));
}

Heap heapOf(const Napi::Value &value) {
  if (!value.IsArrayBuffer()) {
    throw std::runtime_error(
        "rectifier-onednn: the wasm heap must be an ArrayBuffer (the non-threaded wasm build); "
        "a SharedArrayBuffer heap cannot be addressed from Node-API");
  }
  auto buffer = value.As<Napi::ArrayBuffer>();
  return {static_cast<uint8_t *>(buffer.Data()), buffer.ByteLength()};
}

std::vector<double> paramsOf(const Napi::Value &value, size_t count, bool atLeast) {
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw std::runtime_error("rectifier-onednn: parameters must be a Float64Array");
  }
  auto array = value.As<Napi::Float64Array>();
  const size_t length = array.ElementLength();
  if (atLeast ? length < count : length != count) {
    throw std::runtime_error(std::string("rectifier-onednn: expected ") +
                             (atLeast ? "at least " : "") + std::to_string(count) +
                             " parameters, got " + std::to_string(length));
  }
  return std::vector<double>(array.Data(), array.Data() + length);
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

memory::desc plain(const dims &d) {
  dims strides(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; i--) strides[i] = strides[i + 1] * d[i + 1];
  return memory::desc(d, dt::f32, strides);
}

std::map<CacheKey, std::unique_ptr<Entry>> &cache() {
  static std::map<CacheKey, std::unique_ptr<Entry>> entries;
  return entries;
}

void Staged::prepare(const memory::desc &user, const memory::desc &preferred, bool toUser) {
  needed = user != preferred;
  if (!needed) return;
  staging = memory(preferred, cpu());
  reorder = toUser ? dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), preferred, cpu(), user))
                   : dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), user, cpu(), preferred));
}

void run(dnnl::primitive &primitive, const std::unordered_map<int, memory> &args) {
  primitive.execute(queue(), args);
  queue().wait();
}

// oneDNN's exceptions become JS errors carrying its status (`unimplemented` means no
// implementation exists for that shape: the JS side then falls back to wasm).
static Napi::Value guarded(const Napi::CallbackInfo &info) {
  const auto kernel = reinterpret_cast<Kernel>(info.Data());
  try {
    return kernel(info);
  } catch (const dnnl::error &e) {
    auto error = Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
    error.Set("status", Napi::Number::New(info.Env(), static_cast<double>(e.status)));
    error.ThrowAsJavaScriptException();
  } catch (const std::exception &e) {
    Napi::Error::New(info.Env(), e.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

void exportKernel(Napi::Env env, Napi::Object exports, const char *name, Kernel kernel) {
  exports.Set(name, Napi::Function::New(env, guarded, name, reinterpret_cast<void *>(kernel)));
}

}  // namespace rectifier
