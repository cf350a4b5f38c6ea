//===- ResampleKernels.cpp - slice and resize -----------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// mote.slice copies a strided box; mote.resize resamples with ONNX Resize's
// coordinate transforms, one dimension at a time (the interpolation is
// separable, and ONNX's reference evaluates it the same way). Nearest copies
// storage values, so a quantized tensor is resampled exactly; linear on a
// quantized tensor sums with fixed-point weights and rounds once
// (Numerics.h, quantized linear resize), as the NPU does.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "Mote/MoteOps.h"
#include "mote/Numerics/Numerics.h"

#include <cmath>

using namespace mlir;
using llvm::Expected;

namespace mote::interp {

Expected<Tensor> execSlice(Operation *op, Operands operands) {
  auto slice = cast<SliceOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(slice.getOutput().getType());
  llvm::ArrayRef<int64_t> starts = slice.getStarts(), steps = slice.getSteps();
  size_t rank = out.shape.size();
  auto inStrides = stridesOf(x.shape);
  int64_t n = out.numElements();
  if (n == 0)
    return out;
  auto copy = [&](const auto &in, auto &res) {
    llvm::SmallVector<int64_t, 4> idx(rank, 0);
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d)
      src += starts[d] * inStrides[d];
    for (int64_t i = 0; i < n; ++i) {
      res[i] = in[src];
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < out.shape[d]) {
          src += steps[d] * inStrides[d];
          break;
        }
        src -= steps[d] * inStrides[d] * (out.shape[d] - 1);
        idx[d] = 0;
      }
    }
  };
  if (x.isQuantized())
    copy(x.q, out.q);
  else
    copy(x.f, out.f);
  return out;
}

namespace {

/// Resamples dimension `d` of a row-major buffer of `shape` to `outLen`.
template <typename T, typename Combine>
std::vector<T> resampleDim(const std::vector<T> &in,
                           llvm::SmallVectorImpl<int64_t> &shape, size_t d,
                           llvm::ArrayRef<ResizeTap> taps, Combine combine) {
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < d; ++i)
    outer *= shape[i];
  for (size_t i = d + 1; i < shape.size(); ++i)
    inner *= shape[i];
  int64_t inLen = shape[d], outLen = taps.size();
  std::vector<T> out(outer * outLen * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < outLen; ++k) {
      const T *a = in.data() + (o * inLen + taps[k].i0) * inner;
      const T *b = in.data() + (o * inLen + taps[k].i1) * inner;
      T *dst = out.data() + (o * outLen + k) * inner;
      for (int64_t i = 0; i < inner; ++i)
        dst[i] = combine(a[i], b[i], taps[k].w1);
    }
  shape[d] = outLen;
  return out;
}

} // namespace

Expected<Tensor> execResize(Operation *op, Operands operands) {
  auto resize = cast<ResizeOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(resize.getOutput().getType());
  llvm::StringRef mode = resize.getMode();
  size_t rank = out.shape.size();
  if (out.numElements() == 0 || x.numElements() == 0)
    return out;
  std::vector<llvm::SmallVector<ResizeTap>> taps(rank);
  for (size_t d = 0; d < rank; ++d)
    taps[d] = resize.getTaps(d);
  llvm::SmallVector<int64_t, 4> shape(x.shape.begin(), x.shape.end());
  if (mode == "nearest") {
    auto pick = [](auto a, auto, double) { return a; };
    if (x.isQuantized()) {
      std::vector<int32_t> v = x.q;
      for (size_t d = rank; d-- > 0;)
        v = resampleDim(v, shape, d, taps[d], pick);
      out.q = std::move(v);
    } else {
      std::vector<float> v = x.f;
      for (size_t d = rank; d-- > 0;)
        v = resampleDim(v, shape, d, taps[d], pick);
      out.f = std::move(v);
    }
    return out;
  }
  if (x.isQuantized()) {
    // Numerics.h, quantized linear resize: exact integer sums with 10-bit
    // weights along the weighted dimensions, one rounding at the end.
    const QuantParams &p = *out.quant;
    int64_t zp = p.zeroPoint(0);
    std::vector<int64_t> v(x.numElements());
    for (int64_t i = 0, n = x.numElements(); i < n; ++i)
      v[i] = x.q[i] - zp;
    int weighted = 0;
    for (size_t d = rank; d-- > 0;) {
      if (ResizeOp::isWeighted(taps[d])) {
        ++weighted;
        auto lerp = [](int64_t a, int64_t b, double w) {
          int64_t w1 = numerics::resizeWeight(w);
          return ((int64_t(1) << numerics::kResizeWeightBits) - w1) * a +
                 w1 * b;
        };
        v = resampleDim(v, shape, d, taps[d], lerp);
      } else {
        SmallVector<ResizeTap> picks;
        for (const ResizeTap &t : taps[d])
          picks.push_back({t.selected(), t.selected(), 0.0});
        auto pick = [](int64_t a, int64_t, double) { return a; };
        v = resampleDim(v, shape, d, picks, pick);
      }
    }
    for (size_t i = 0; i < v.size(); ++i)
      out.q[i] = static_cast<int32_t>(
          numerics::saturate(numerics::resizeRound(v[i], weighted) + zp,
                             p.storageMin, p.storageMax));
    return out;
  }
  // Float linear: in double, innermost dimension first.
  std::vector<double> v(x.numElements());
  for (int64_t i = 0, n = x.numElements(); i < n; ++i)
    v[i] = static_cast<double>(x.f[i]);
  auto lerp = [](double a, double b, double w) {
    return w == 0.0 ? a : (1.0 - w) * a + w * b;
  };
  for (size_t d = rank; d-- > 0;)
    v = resampleDim(v, shape, d, taps[d], lerp);
  for (size_t i = 0; i < v.size(); ++i)
    out.f[i] = static_cast<float>(v[i]);
  return out;
}

} // namespace mote::interp
