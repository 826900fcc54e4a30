// The parameter layout of every kernel: the names, in order, of the Float64Array the JS side
// passes (byte offsets of tensors in the wasm heap, then sizes and flags). Each table expands
// to an `enum` for C++ and to the names the addon reports through `layouts()`; the JS side
// (src/onednn/layouts.ts) packs its calls by the same names and refuses an addon whose tables
// differ from its own (a stale build), so the two sides cannot drift apart silently.
#pragma once

#include <cstddef>

// 2-D convolution geometry as tfjs's conv info has it (pads: top, bottom, left, right).
#define RECTIFIER_CONV_GEOMETRY(X) \
  X(batch) X(inHeight) X(inWidth) X(inChannels) X(outHeight) X(outWidth) X(outChannels) \
  X(filterHeight) X(filterWidth) X(strideHeight) X(strideWidth) X(dilationHeight)        \
  X(dilationWidth) X(padTop) X(padBottom) X(padLeft) X(padRight)

#define RECTIFIER_CONV2D(X) X(x) X(filter) X(bias) X(y) RECTIFIER_CONV_GEOMETRY(X) X(withBias) X(relu)
#define RECTIFIER_CONV2D_BACKPROP_INPUT(X) X(dy) X(filter) X(dx) RECTIFIER_CONV_GEOMETRY(X)
#define RECTIFIER_CONV2D_BACKPROP_FILTER(X) X(x) X(dy) X(dw) RECTIFIER_CONV_GEOMETRY(X)

// C[b] = op(A[b])·op(B[b]) (+ bias, relu); batches equal or one of them 1.
#define RECTIFIER_MATMUL(X) \
  X(a) X(b) X(bias) X(c) X(batchA) X(batchB) X(m) X(k) X(n) X(transposeA) X(transposeB) \
  X(withBias) X(relu)

#define RECTIFIER_POOL_GEOMETRY(X) \
  X(batch) X(inHeight) X(inWidth) X(channels) X(outHeight) X(outWidth) X(filterHeight) \
  X(filterWidth) X(strideHeight) X(strideWidth) X(padTop) X(padBottom) X(padLeft) X(padRight)

#define RECTIFIER_MAX_POOL(X) X(x) X(y) RECTIFIER_POOL_GEOMETRY(X)
#define RECTIFIER_MAX_POOL_GRAD(X) X(x) X(dy) X(dx) RECTIFIER_POOL_GEOMETRY(X)

// c = a ∘ b; followed by `rank` dims of the output, then `rank` dims of b (1 where broadcast).
#define RECTIFIER_BINARY(X) X(a) X(b) X(c) X(algorithm) X(rank)

// y = x > 0 ? x : alpha·x: ReLU (alpha 0) and leaky ReLU.
#define RECTIFIER_RELU(X) X(x) X(y) X(size) X(alpha)

// y = x > 0 ? 1 : alpha (NaN stays NaN), tfjs's Step: the relu gradient's mask.
#define RECTIFIER_STEP(X) X(x) X(y) X(size) X(alpha)

// dx = dy·step(x, alpha) in one pass: the gradient of ReLU (alpha 0) and leaky ReLU.
#define RECTIFIER_RELU_GRAD(X) X(dy) X(x) X(dx) X(size) X(alpha)

// PReLU over x seen as [rows, channels] (channels last); `channels` 1 for a shared slope.
#define RECTIFIER_PRELU(X) X(x) X(alpha) X(y) X(rows) X(channels) X(sharedSlope)
#define RECTIFIER_PRELU_GRAD(X) \
  X(dy) X(x) X(alpha) X(dx) X(dalpha) X(rows) X(channels) X(sharedSlope)

// Caffe's momentum SGD on one parameter of `size` floats (w, v updated into wOut, vOut).
#define RECTIFIER_SGD_UPDATE(X) \
  X(w) X(g) X(v) X(wOut) X(vOut) X(size) X(learningRate) X(weightDecay) X(momentum)

// Spatial pyramid pooling of an NHWC map; followed by `levelCount` levels, then every level's
// row edges [r0, r1) per bin, then its column edges (@rectifier/architectures' binEdges).
#define RECTIFIER_SPP_POOL(X) X(x) X(y) X(batch) X(height) X(width) X(channels) X(levelCount)
#define RECTIFIER_SPP_GRAD(X) \
  X(x) X(dy) X(dx) X(batch) X(height) X(width) X(channels) X(levelCount)

// Every table, by the name the JS side knows it under.
#define RECTIFIER_LAYOUTS(L)                                    \
  L(Conv2D, conv2d, RECTIFIER_CONV2D)                            \
  L(Conv2DBackpropInput, conv2dBackpropInput, RECTIFIER_CONV2D_BACKPROP_INPUT)    \
  L(Conv2DBackpropFilter, conv2dBackpropFilter, RECTIFIER_CONV2D_BACKPROP_FILTER) \
  L(MatMul, matmul, RECTIFIER_MATMUL)                            \
  L(MaxPool, maxPool, RECTIFIER_MAX_POOL)                        \
  L(MaxPoolGrad, maxPoolGrad, RECTIFIER_MAX_POOL_GRAD)           \
  L(Binary, binary, RECTIFIER_BINARY)                            \
  L(Relu, relu, RECTIFIER_RELU)                                  \
  L(Step, step, RECTIFIER_STEP)                                  \
  L(ReluGrad, reluGrad, RECTIFIER_RELU_GRAD)                     \
  L(Prelu, prelu, RECTIFIER_PRELU)                               \
  L(PreluGrad, preluGrad, RECTIFIER_PRELU_GRAD)                  \
  L(SgdUpdate, sgdUpdate, RECTIFIER_SGD_UPDATE)                  \
  L(SppPool, sppPool, RECTIFIER_SPP_POOL)                        \
  L(SppGrad, sppGrad, RECTIFIER_SPP_GRAD)

namespace layout {

#define RECTIFIER_ENUM_ENTRY(name) name,
#define RECTIFIER_ENUM(Type, js, TABLE) \
  namespace Type {                      \
  enum : size_t { TABLE(RECTIFIER_ENUM_ENTRY) count };   \
  }
RECTIFIER_LAYOUTS(RECTIFIER_ENUM)
#undef RECTIFIER_ENUM

// Index of a geometry field inside a kernel's table, for the shared geometry structs.
namespace ConvGeometry {
enum : size_t { RECTIFIER_CONV_GEOMETRY(RECTIFIER_ENUM_ENTRY) count };
}
namespace PoolGeometry {
enum : size_t { RECTIFIER_POOL_GEOMETRY(RECTIFIER_ENUM_ENTRY) count };
}
#undef RECTIFIER_ENUM_ENTRY

}  // namespace layout
