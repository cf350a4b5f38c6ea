//===- MathKernels.cpp - Math functions, reductions, layer norm ------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Every elementwise function of one tensor (sigmoid, tanh, ..., and the
// math functions of MoteMathOps.td), through UnaryFunction.h, the same
// functions the quantizer builds its tables from; the reductions over any set of axes (float in double; the
// quantized forms in exact integers, as avg_pool2d and max_pool2d), and
// layer normalization (float, statistics in double).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "Mote/MoteOps.h"
#include "mote/Interp/RealFunctions.h"
#include "mote/Interp/UnaryFunction.h"
#include "mote/Numerics/Numerics.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using llvm::Expected;

namespace mote::interp {

std::function<double(double)> getUnaryFunction(Operation *op) {
  using Fn = std::function<double(double)>;
  return llvm::TypeSwitch<Operation *, Fn>(op)
      .Case<SigmoidOp>([](auto) { return Fn(real::sigmoid); })
      .Case<TanhOp>([](auto) { return Fn(real::tanh); })
      .Case<ExpOp>([](auto) { return Fn(real::exp); })
      .Case<HardSwishOp>([](auto) { return Fn(real::hardSwish); })
      .Case<HardSigmoidOp>([](HardSigmoidOp hs) {
        double alpha = hs.getAlpha().convertToFloat();
        double beta = hs.getBeta().convertToFloat();
        return Fn([=](double v) { return real::hardSigmoid(v, alpha, beta); });
      })
      .Case<LeakyReluOp>([](LeakyReluOp lr) {
        double alpha = lr.getAlpha().convertToFloat();
        return Fn([=](double v) { return real::leakyRelu(v, alpha); });
      })
      .Case<EluOp>([](EluOp elu) {
        double alpha = elu.getAlpha().convertToFloat();
        return Fn([=](double v) { return real::elu(v, alpha); });
      })
      .Case<SeluOp>([](SeluOp selu) {
        double alpha = selu.getAlpha().convertToFloat();
        double gamma = selu.getGamma().convertToFloat();
        return Fn([=](double v) { return real::selu(v, alpha, gamma); });
      })
      .Case<SoftplusOp>([](auto) { return Fn(real::softplus); })
      .Case<SqrtOp>([](auto) { return Fn(real::sqrt); })
      .Case<ReciprocalOp>([](auto) { return Fn(real::reciprocal); })
      .Case<LogOp>([](auto) { return Fn(real::log); })
      .Case<ErfOp>([](auto) { return Fn(real::erf); })
      .Case<SiluOp>([](auto) { return Fn(real::silu); })
      .Case<GeluOp>([](auto) { return Fn(real::gelu); })
      .Case<PowOp>([](PowOp pow) {
        double e = pow.getExponent().convertToFloat();
        return Fn([=](double v) { return real::pow(v, e); });
      })
      .Default([](Operation *) { return Fn(); });
}

Expected<Tensor> execMathUnary(Operation *op, Operands operands) {
  std::function<double(double)> fn = getUnaryFunction(op);
  if (!fn)
    return kernelError("unsupported unary op");
  const Tensor &x = *operands[0];
  Tensor out =
      Tensor::allocate(cast<RankedTensorType>(op->getResult(0).getType()));
  int64_t n = x.numElements();
  if (!x.isQuantized()) {
    for (int64_t i = 0; i < n; ++i)
      out.f[i] = static_cast<float>(fn(static_cast<double>(x.f[i])));
    return out;
  }
  // quantize(f(dequantize(q))) through a table over the storage range, the
  // same content the quantizer writes into a mote.lut.
  const QuantParams &pi = *x.quant, &po = *out.quant;
  auto eval = [&](int64_t q) {
    double y = fn(numerics::dequantize(q, pi.scale(0), pi.zeroPoint(0)));
    return static_cast<int32_t>(numerics::quantize(
        y, po.scale(0), po.zeroPoint(0), po.storageMin, po.storageMax));
  };
  if (pi.storageBits > 16) {
    for (int64_t i = 0; i < n; ++i)
      out.q[i] = eval(x.q[i]);
    return out;
  }
  std::vector<int32_t> table(pi.storageMax - pi.storageMin + 1);
  for (int64_t q = pi.storageMin; q <= pi.storageMax; ++q)
    table[q - pi.storageMin] = eval(q);
  for (int64_t i = 0; i < n; ++i)
    out.q[i] = table[x.q[i] - pi.storageMin];
  return out;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

namespace {

enum class ReduceKind { Sum, Mean, Max, Min };

/// For every input element, the flat index of the output element it
/// reduces into (the reduced dimensions contribute nothing).
std::vector<int64_t> reductionMap(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> axes) {
  int64_t rank = static_cast<int64_t>(shape.size());
  // Output strides over the kept dimensions, as if keepdims (the flat
  // order is the same either way).
  SmallVector<int64_t, 4> stride(rank, 0);
  int64_t s = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (llvm::is_contained(axes, d))
      continue;
    stride[d] = s;
    s *= shape[d];
  }
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  std::vector<int64_t> map(total);
  SmallVector<int64_t, 4> idx(rank, 0);
  int64_t dst = 0;
  for (int64_t i = 0; i < total; ++i) {
    map[i] = dst;
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        dst += stride[d];
        break;
      }
      dst -= stride[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
  return map;
}

} // namespace

Expected<Tensor> execReduce(Operation *op, Operands operands) {
  ReduceKind kind = llvm::TypeSwitch<Operation *, ReduceKind>(op)
                        .Case<ReduceSumOp>([](auto) { return ReduceKind::Sum; })
                        .Case<ReduceMeanOp>(
                            [](auto) { return ReduceKind::Mean; })
                        .Case<ReduceMaxOp>([](auto) { return ReduceKind::Max; })
                        .Default([](Operation *) { return ReduceKind::Min; });
  ArrayRef<int64_t> axes = llvm::TypeSwitch<Operation *, ArrayRef<int64_t>>(op)
                               .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp,
                                     ReduceMinOp>(
                                   [](auto r) { return r.getAxes(); })
                               .Default([](Operation *) {
                                 return ArrayRef<int64_t>();
                               });
  const Tensor &x = *operands[0];
  Tensor out =
      Tensor::allocate(cast<RankedTensorType>(op->getResult(0).getType()));
  std::vector<int64_t> map = reductionMap(x.shape, axes);
  int64_t n = x.numElements(), m = out.numElements();
  int64_t count = m > 0 ? n / m : 0;
  bool isExtremum = kind == ReduceKind::Max || kind == ReduceKind::Min;
  if (!x.isQuantized()) {
    if (isExtremum) {
      bool isMax = kind == ReduceKind::Max;
      float init = isMax ? -std::numeric_limits<float>::infinity()
                         : std::numeric_limits<float>::infinity();
      std::fill(out.f.begin(), out.f.end(), init);
      // NaN propagates, as numpy's max and min do.
      for (int64_t i = 0; i < n; ++i) {
        float v = x.f[i], &o = out.f[map[i]];
        if (std::isnan(v) || std::isnan(o))
          o = std::numeric_limits<float>::quiet_NaN();
        else if (isMax ? v > o : v < o)
          o = v;
      }
      return out;
    }
    std::vector<double> acc(m, 0.0);
    for (int64_t i = 0; i < n; ++i)
      acc[map[i]] += x.f[i];
    for (int64_t j = 0; j < m; ++j)
      out.f[j] = static_cast<float>(
          kind == ReduceKind::Mean ? acc[j] / static_cast<double>(count)
                                   : acc[j]);
    return out;
  }
  const QuantParams &pi = *x.quant, &po = *out.quant;
  if (isExtremum) {
    bool isMax = kind == ReduceKind::Max;
    std::fill(out.q.begin(), out.q.end(),
              static_cast<int32_t>(isMax ? pi.storageMin : pi.storageMax));
    for (int64_t i = 0; i < n; ++i) {
      int32_t &o = out.q[map[i]];
      o = isMax ? std::max(o, x.q[i]) : std::min(o, x.q[i]);
    }
    return out;
  }
  double ratio = pi.scale(0) / po.scale(0);
  if (kind == ReduceKind::Mean)
    ratio /= static_cast<double>(count);
  auto mult = numerics::computeScaleMultiplier(ratio);
  if (!mult)
    return kernelError("rescaling ratio " + formatReal(ratio) +
                       " cannot be expressed as a 32-bit multiplier");
  std::vector<int64_t> acc(m, 0);
  int64_t zpIn = pi.zeroPoint(0), zpOut = po.zeroPoint(0);
  for (int64_t i = 0; i < n; ++i)
    acc[map[i]] += int64_t(x.q[i]) - zpIn;
  for (int64_t j = 0; j < m; ++j)
    out.q[j] = static_cast<int32_t>(
        numerics::saturate(numerics::applyScale(acc[j], *mult) + zpOut,
                           po.storageMin, po.storageMax));
  return out;
}

//===----------------------------------------------------------------------===//
// Layer normalization
//===----------------------------------------------------------------------===//

Expected<Tensor> execLayerNorm(Operation *op, Operands operands) {
  auto ln = cast<LayerNormOp>(op);
  const Tensor &x = *operands[0], &scale = *operands[1];
  const Tensor *bias = operands.size() > 2 ? operands[2] : nullptr;
  Tensor out = Tensor::allocate(ln.getOutput().getType());
  int64_t axis = ln.getAxis();
  llvm::ArrayRef<int64_t> normalized =
      llvm::ArrayRef<int64_t>(x.shape).drop_front(axis);
  int64_t inner = 1;
  for (int64_t d : normalized)
    inner *= d;
  int64_t outer = inner > 0 ? x.numElements() / inner : 0;
  std::vector<int64_t> ms = broadcastMap(scale.shape, normalized);
  std::vector<int64_t> mb =
      bias ? broadcastMap(bias->shape, normalized) : std::vector<int64_t>();
  double eps = ln.getEpsilon().convertToFloat();
  for (int64_t o = 0; o < outer; ++o) {
    const float *row = x.f.data() + o * inner;
    double mean = 0.0;
    for (int64_t k = 0; k < inner; ++k)
      mean += row[k];
    mean /= static_cast<double>(inner);
    double var = 0.0;
    for (int64_t k = 0; k < inner; ++k)
      var += (row[k] - mean) * (row[k] - mean);
    var /= static_cast<double>(inner);
    double inv = 1.0 / std::sqrt(var + eps);
    float *res = out.f.data() + o * inner;
    for (int64_t k = 0; k < inner; ++k) {
      double y = (row[k] - mean) * inv * scale.f[broadcastIndex(ms, k)];
      if (bias)
        y += bias->f[broadcastIndex(mb, k)];
      res[k] = static_cast<float>(y);
    }
  }
  return out;
}

} // namespace mote::interp
