//===- PoolKernels.cpp - max_pool2d, avg_pool2d ---------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// NHWC pooling with the channel loop innermost. Window rows/columns outside
// the input are skipped (max: padding never wins; avg: padding adds 0).
// The average's divisor counts the positions inside the input, plus the
// padded positions inside [−pad_lo, in + pad_hi) if count_include_pad;
// positions past the padded input (added by ceil_mode) never count.
// A window with no valid position (possible only with padding larger than
// the kernel) yields −∞ (max; storage min when quantized) and 0 (avg; the
// zero point when quantized).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "Mote/MoteOps.h"
#include "mote/Numerics/Numerics.h"

#include "llvm/ADT/DenseMap.h"

#include <limits>

using namespace mlir;
using llvm::Expected;

namespace mote::interp {

Expected<Tensor> execMaxPool2D(Operation *op, Operands operands) {
  auto pool = cast<MaxPool2DOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(pool.getOutput().getType());
  int64_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
  int64_t oh = out.shape[1], ow = out.shape[2];
  int64_t kh = pool.getKernel()[0], kw = pool.getKernel()[1];
  int64_t sh = pool.getStrides()[0], sw = pool.getStrides()[1];
  int64_t dh = pool.getDilations()[0], dw = pool.getDilations()[1];
  int64_t pt = pool.getPad()[0], pl = pool.getPad()[2];
  auto body = [&](auto &in, auto &res, auto lowest) {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          auto *o = res.data() + ((b * oh + y) * ow + xo) * c;
          for (int64_t ch = 0; ch < c; ++ch)
            o[ch] = lowest;
          for (int64_t i = 0; i < kh; ++i) {
            int64_t ih = y * sh - pt + i * dh;
            if (ih < 0 || ih >= h)
              continue;
            for (int64_t j = 0; j < kw; ++j) {
              int64_t iw = xo * sw - pl + j * dw;
              if (iw < 0 || iw >= w)
                continue;
              const auto *p = in.data() + ((b * h + ih) * w + iw) * c;
              for (int64_t ch = 0; ch < c; ++ch)
                o[ch] = p[ch] > o[ch] ? p[ch] : o[ch];
            }
          }
        }
  };
  if (x.isQuantized())
    body(x.q, out.q, static_cast<int32_t>(out.quant->storageMin));
  else
    body(x.f, out.f, -std::numeric_limits<float>::infinity());
  return out;
}

Expected<Tensor> execAvgPool2D(Operation *op, Operands operands) {
  auto pool = cast<AvgPool2DOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(pool.getOutput().getType());
  int64_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
  int64_t oh = out.shape[1], ow = out.shape[2];
  int64_t kh = pool.getKernel()[0], kw = pool.getKernel()[1];
  int64_t sh = pool.getStrides()[0], sw = pool.getStrides()[1];
  int64_t pt = pool.getPad()[0], pb = pool.getPad()[1];
  int64_t pl = pool.getPad()[2], pr = pool.getPad()[3];
  bool includePad = pool.getCountIncludePad();
  bool quantized = x.isQuantized();
  int64_t zpIn = quantized ? x.quant->zeroPoint(0) : 0;
  int64_t zpOut = quantized ? out.quant->zeroPoint(0) : 0;
  llvm::DenseMap<int64_t, numerics::ScaleMultiplier> multipliers;
  std::vector<int64_t> sum(c);
  std::vector<float> fsum(c);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo) {
        int64_t hs = y * sh - pt, ws = xo * sw - pl;
        int64_t h0 = std::max<int64_t>(hs, 0), h1 = std::min(hs + kh, h);
        int64_t w0 = std::max<int64_t>(ws, 0), w1 = std::min(ws + kw, w);
        int64_t count;
        if (includePad)
          count = (std::min(hs + kh, h + pb) - std::max(hs, -pt)) *
                  (std::min(ws + kw, w + pr) - std::max(ws, -pl));
        else
          count = std::max<int64_t>(h1 - h0, 0) * std::max<int64_t>(w1 - w0, 0);
        int64_t base = ((b * oh + y) * ow + xo) * c;
        if (!quantized) {
          std::fill(fsum.begin(), fsum.end(), 0.0f);
          for (int64_t ih = h0; ih < h1; ++ih)
            for (int64_t iw = w0; iw < w1; ++iw) {
              const float *p = x.f.data() + ((b * h + ih) * w + iw) * c;
              for (int64_t ch = 0; ch < c; ++ch)
                fsum[ch] += p[ch];
            }
          for (int64_t ch = 0; ch < c; ++ch)
            out.f[base + ch] = count > 0 ? fsum[ch] / static_cast<float>(count)
                                         : 0.0f;
          continue;
        }
        std::fill(sum.begin(), sum.end(), 0);
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) {
            const int32_t *p = x.q.data() + ((b * h + ih) * w + iw) * c;
            for (int64_t ch = 0; ch < c; ++ch)
              sum[ch] += p[ch] - zpIn;
          }
        const QuantParams &po = *out.quant;
        if (count <= 0) {
          for (int64_t ch = 0; ch < c; ++ch)
            out.q[base + ch] = static_cast<int32_t>(
                numerics::saturate(zpOut, po.storageMin, po.storageMax));
          continue;
        }
        auto it = multipliers.find(count);
        if (it == multipliers.end()) {
          double ratio = x.quant->scale(0) /
                         (po.scale(0) * static_cast<double>(count));
          auto m = numerics::computeScaleMultiplier(ratio);
          if (!m)
            return kernelError("averaging ratio s_in / (s_out * " +
                               llvm::Twine(count) + ") = " +
                               formatReal(ratio) +
                               " cannot be expressed as a 32-bit multiplier");
          it = multipliers.try_emplace(count, *m).first;
        }
        for (int64_t ch = 0; ch < c; ++ch)
          out.q[base + ch] = static_cast<int32_t>(numerics::saturate(
              numerics::applyScale(sum[ch], it->second) + zpOut,
              po.storageMin, po.storageMax));
      }
  return out;
}

} // namespace mote::interp
