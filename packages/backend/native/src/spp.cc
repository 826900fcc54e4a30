// Spatial pyramid pooling (He et al. 2014; Tables 1 and 3 of the paper) in one pass each way,
// over NHWC maps as tfjs lays them out, with every level's bins given by their edges:
//   y[b, off(l) + (i·n + j)·C + c] = max of x[b, r, s, c] over rows [r0, r1) × columns [c0, c1)
// and its input gradient routed to each bin's first maximum in row-major order (PyTorch's CPU
// adaptive_max_pool2d scan: `v > best || isnan(v)`, starting from the bin's first pixel), so the
// tie rule of @rectifier/architectures' SPP layer holds here too. Threaded over images: an
// image's bins only touch its own rows of x and dx, and the per-position sums keep the layer's
// order (levels in order, bins row-major), so the gradient has the same bits on any thread count.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common.h"

namespace rectifier {
namespace {

// The pyramid after a layout's fixed fields: `levelCount` levels, then every level's row edges
// (2n values each), then its column edges.
struct Pyramid {
  std::vector<int64_t> levels, rows, cols;
  int64_t bins = 0;

  Pyramid(const std::vector<double> &p, size_t from, int64_t count, int64_t height, int64_t width) {
    if (count < 1) throw std::runtime_error("rectifier-onednn spp: levelCount must be >= 1");
    size_t at = from;
    auto next = [&]() {
      if (at >= p.size()) throw std::runtime_error("rectifier-onednn spp: too few edge values");
      return static_cast<int64_t>(p[at++]);
    };
    int64_t edges = 0;
    for (int64_t l = 0; l < count; l++) {
      levels.push_back(next());
      if (levels.back() < 1) throw std::runtime_error("rectifier-onednn spp: a level below 1");
      edges += 2 * levels.back();
      bins += levels.back() * levels.back();
    }
    for (int64_t e = 0; e < edges; e++) rows.push_back(next());
    for (int64_t e = 0; e < edges; e++) cols.push_back(next());
    if (at != p.size()) throw std::runtime_error("rectifier-onednn spp: too many edge values");
    for (size_t e = 0; e < rows.size(); e += 2) {
      if (rows[e] < 0 || rows[e] >= rows[e + 1] || rows[e + 1] > height ||
          cols[e] < 0 || cols[e] >= cols[e + 1] || cols[e + 1] > width)
        throw std::runtime_error("rectifier-onednn spp: a bin outside the map or empty");
    }
  }
};

// Scans every bin of one image (levels in order, bins row-major) and then calls `visit(feature)`
// with `best` and `at` holding, per channel, the bin's maximum and the offset of the pixel where
// it first occurs; `feature` is the bin's first index in a row of y or dy.
template <typename Visit>
void forEachBin(const float *x, const Pyramid &pyramid, int64_t width, int64_t channels,
                std::vector<float> &best, std::vector<int64_t> &at, Visit visit) {
  int64_t offset = 0;
  size_t edge = 0;
  for (int64_t n : pyramid.levels) {
    for (int64_t i = 0; i < n; i++) {
      const int64_t r0 = pyramid.rows[edge + 2 * i], r1 = pyramid.rows[edge + 2 * i + 1];
      for (int64_t j = 0; j < n; j++) {
        const int64_t c0 = pyramid.cols[edge + 2 * j], c1 = pyramid.cols[edge + 2 * j + 1];
        std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
        std::fill(at.begin(), at.end(), (r0 * width + c0) * channels);
        for (int64_t r = r0; r < r1; r++) {
          for (int64_t c = c0; c < c1; c++) {
            const int64_t base = (r * width + c) * channels;
            const float *v = x + base;
            for (int64_t k = 0; k < channels; k++) {
              if (v[k] > best[k] || std::isnan(v[k])) {
                best[k] = v[k];
                at[k] = base;
              }
            }
          }
        }
        visit(offset + (i * n + j) * channels);
      }
    }
    offset += n * n * channels;
    edge += 2 * n;
  }
}

// A call's map and pyramid: `batch`, `height`, `width`, `channels`, `levelCount` are consecutive
// fields from `first` on in both kernels' layouts, the pyramid follows the layout's `count`.
struct SppShape {
  int64_t batch, height, width, channels, image, features;
  Pyramid pyramid;
  SppShape(const Call &call, size_t first, size_t count)
      : batch(static_cast<int64_t>(call[first])),
        height(static_cast<int64_t>(call[first + 1])),
        width(static_cast<int64_t>(call[first + 2])),
        channels(static_cast<int64_t>(call[first + 3])),
        image(height * width * channels),
        features(0),
        pyramid(call.p, count, static_cast<int64_t>(call[first + 4]), height, width) {
    features = pyramid.bins * channels;
  }

  // Runs `scan(b, best, at)` for every image, threaded over images above the threshold, with
  // per-thread scratch for a bin's maxima and their positions.
  template <typename Scan>
  void forEachImage(Scan scan) const {
#pragma omp parallel if (batch * image >= minThreaded)
    {
      std::vector<float> best(channels);
      std::vector<int64_t> at(channels);
#pragma omp for schedule(static)
      for (int64_t b = 0; b < batch; b++) scan(b, best, at);
    }
  }
};

namespace P = layout::SppPool;
namespace G = layout::SppGrad;
static_assert(P::levelCount == P::batch + 4 && G::levelCount == G::batch + 4,
              "the SPP layouts keep batch..levelCount together");

Napi::Value SppPool(const Napi::CallbackInfo &info) {
  Call call(info, P::count, true);
  const SppShape s(call, P::batch, P::count);
  const float *x = call.at(P::x, s.batch * s.image, "x");
  float *y = call.at(P::y, s.batch * s.features, "y");
  s.forEachImage([&](int64_t b, std::vector<float> &best, std::vector<int64_t> &at) {
    float *row = y + b * s.features;
    forEachBin(x + b * s.image, s.pyramid, s.width, s.channels, best, at,
               [&](int64_t feature) { std::copy(best.begin(), best.end(), row + feature); });
  });
  return info.Env().Undefined();
}

Napi::Value SppGrad(const Napi::CallbackInfo &info) {
  Call call(info, G::count, true);
  const SppShape s(call, G::batch, G::count);
  const float *x = call.at(G::x, s.batch * s.image, "x");
  const float *dy = call.at(G::dy, s.batch * s.features, "dy");
  float *dx = call.at(G::dx, s.batch * s.image, "dx");
  s.forEachImage([&](int64_t b, std::vector<float> &best, std::vector<int64_t> &at) {
    float *out = dx + b * s.image;
    const float *g = dy + b * s.features;
    std::fill(out, out + s.image, 0.0f);
    forEachBin(x + b * s.image, s.pyramid, s.width, s.channels, best, at, [&](int64_t feature) {
      for (int64_t k = 0; k < s.channels; k++) out[at[k] + k] += g[feature + k];
    });
  });
  return info.Env().Undefined();
}

}  // namespace

void exportSpp(Napi::Env env, Napi::Object exports) {
  exportKernel(env, exports, "sppPool", SppPool);
  exportKernel(env, exports, "sppGrad", SppGrad);
}

}  // namespace rectifier
