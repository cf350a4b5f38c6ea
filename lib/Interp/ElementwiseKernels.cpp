//===- ElementwiseKernels.cpp - Elementwise and quantization ops ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Binary ops with numpy broadcasting, prelu, clamp, softmax,
// log_softmax, table lookup and the quantize / dequantize / requant
// conversions. The quantized forms follow docs/Interpreter.md exactly and use
// nothing but mote/Numerics/Numerics.h for integer arithmetic and
// mote/Interp/RealFunctions.h for the real functions.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "mote/Interp/RealFunctions.h"
#include "mote/Numerics/Numerics.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using llvm::Expected;

namespace mote::interp {

/// The broadcast strides of `shape` against `outShape` (0 along a
/// broadcast dimension), right-aligned to outShape's rank.
static llvm::SmallVector<int64_t, 4>
broadcastStrides(llvm::ArrayRef<int64_t> shape,
                 llvm::ArrayRef<int64_t> outShape) {
  size_t rank = outShape.size(), offset = rank - shape.size();
  llvm::SmallVector<int64_t, 4> stride(rank, 0);
  int64_t s = 1;
  for (size_t d = rank; d-- > offset;) {
    int64_t size = shape[d - offset];
    stride[d] = size == 1 ? 0 : s;
    s *= size;
  }
  return stride;
}

std::vector<int64_t> broadcastMap(llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<int64_t> outShape) {
  if (shape == outShape)
    return {};
  int64_t total = 1;
  for (int64_t d : outShape)
    total *= d;
  std::vector<int64_t> map(total);
  size_t rank = outShape.size();
  llvm::SmallVector<int64_t, 4> stride = broadcastStrides(shape, outShape);
  llvm::SmallVector<int64_t, 4> idx(rank, 0);
  int64_t src = 0;
  for (int64_t i = 0; i < total; ++i) {
    map[i] = src;
    // Odometer increment.
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < outShape[d]) {
        src += stride[d];
        break;
      }
      src -= stride[d] * (outShape[d] - 1);
      idx[d] = 0;
    }
  }
  return map;
}

namespace {

inline int64_t at(const std::vector<int64_t> &map, int64_t i) {
  return map.empty() ? i : map[i];
}

/// Calls fn(i, ia, ib) for every element i of `outShape` in order, with the
/// element of each operand numpy broadcasting reads: what broadcastMap
/// gives, without materialising an index per element (one odometer step
/// per row of the innermost dimension).
template <typename Fn>
void forEachBroadcast(llvm::ArrayRef<int64_t> outShape,
                      llvm::ArrayRef<int64_t> shapeA,
                      llvm::ArrayRef<int64_t> shapeB, Fn fn) {
  int64_t total = 1;
  for (int64_t d : outShape)
    total *= d;
  if (total == 0)
    return;
  if (shapeA == outShape && shapeB == outShape) {
    for (int64_t i = 0; i < total; ++i)
      fn(i, i, i);
    return;
  }
  size_t rank = outShape.size();
  if (rank == 0) {
    fn(0, 0, 0);
    return;
  }
  llvm::SmallVector<int64_t, 4> sa = broadcastStrides(shapeA, outShape);
  llvm::SmallVector<int64_t, 4> sb = broadcastStrides(shapeB, outShape);
  llvm::SmallVector<int64_t, 4> idx(rank, 0);
  int64_t inner = outShape[rank - 1];
  int64_t ia = 0, ib = 0;
  for (int64_t i = 0; i < total; i += inner) {
    for (int64_t j = 0; j < inner; ++j)
      fn(i + j, ia + j * sa[rank - 1], ib + j * sb[rank - 1]);
    // Odometer over the outer dimensions.
    for (size_t d = rank - 1; d-- > 0;) {
      if (++idx[d] < outShape[d]) {
        ia += sa[d];
        ib += sb[d];
        break;
      }
      ia -= sa[d] * (outShape[d] - 1);
      ib -= sb[d] * (outShape[d] - 1);
      idx[d] = 0;
    }
  }
}

int32_t quantizeTo(double v, const QuantParams &p, int64_t c = 0) {
  return static_cast<int32_t>(numerics::quantize(v, p.scale(c), p.zeroPoint(c),
                                                 p.storageMin, p.storageMax));
}

} // namespace

Expected<Tensor> execBinary(Operation *op, Operands operands) {
  const Tensor &a = *operands[0], &b = *operands[1];
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  Tensor out = Tensor::allocate(outType);
  if (!out.isQuantized()) {
    auto apply = [&](auto fn) {
      forEachBroadcast(out.shape, a.shape, b.shape,
                       [&](int64_t i, int64_t ia, int64_t ib) {
                         out.f[i] = fn(a.f[ia], b.f[ib]);
                       });
    };
    llvm::TypeSwitch<Operation *>(op)
        .Case<AddOp>([&](auto) { apply([](float x, float y) { return x + y; }); })
        .Case<SubOp>([&](auto) { apply([](float x, float y) { return x - y; }); })
        .Case<MulOp>([&](auto) { apply([](float x, float y) { return x * y; }); })
        .Case<DivOp>([&](auto) { apply([](float x, float y) { return x / y; }); })
        .Case<MaximumOp>([&](auto) {
          apply([](float x, float y) { return std::fmax(x, y); });
        })
        .Case<MinimumOp>([&](auto) {
          apply([](float x, float y) { return std::fmin(x, y); });
        });
    return out;
  }
  const QuantParams &pa = *a.quant, &pb = *b.quant, &po = *out.quant;
  int64_t za = pa.zeroPoint(0), zb = pb.zeroPoint(0), zo = po.zeroPoint(0);
  if (isa<MulOp>(op)) {
    double ratio = pa.scale(0) * pb.scale(0) / po.scale(0);
    auto m = numerics::computeScaleMultiplier(ratio);
    if (!m)
      return kernelError("scale ratio s_a * s_b / s_out = " +
                         formatReal(ratio) +
                         " cannot be expressed as a 32-bit multiplier");
    forEachBroadcast(out.shape, a.shape, b.shape,
                     [&](int64_t i, int64_t ia, int64_t ib) {
                       int64_t prod = (int64_t(a.q[ia]) - za) *
                                      (int64_t(b.q[ib]) - zb);
                       out.q[i] = static_cast<int32_t>(numerics::saturate(
                           numerics::applyScale(prod, *m) + zo, po.storageMin,
                           po.storageMax));
                     });
    return out;
  }
  if (isa<DivOp>(op))
    return kernelError("has no quantized form");
  auto rescale =
      numerics::computeAddRescale(pa.scale(0), pb.scale(0), po.scale(0));
  if (!rescale)
    return kernelError("operand and result scales imply a rescaling that "
                       "cannot be expressed as 32-bit multipliers");
  // Rescale each operand once, before broadcasting.
  std::vector<int64_t> as(a.q.size()), bs(b.q.size());
  for (size_t i = 0; i < as.size(); ++i)
    as[i] = numerics::applyScale(int64_t(a.q[i]) - za, rescale->lhs);
  for (size_t i = 0; i < bs.size(); ++i)
    bs[i] = numerics::applyScale(int64_t(b.q[i]) - zb, rescale->rhs);
  auto apply = [&](auto combine) {
    forEachBroadcast(out.shape, a.shape, b.shape,
                     [&](int64_t i, int64_t ia, int64_t ib) {
                       int64_t v = combine(as[ia], bs[ib]);
                       out.q[i] = static_cast<int32_t>(numerics::saturate(
                           numerics::applyScale(v, rescale->out) + zo,
                           po.storageMin, po.storageMax));
                     });
  };
  if (isa<AddOp>(op))
    apply([](int64_t x, int64_t y) { return x + y; });
  else if (isa<SubOp>(op))
    apply([](int64_t x, int64_t y) { return x - y; });
  else if (isa<MaximumOp>(op))
    apply([](int64_t x, int64_t y) { return std::max(x, y); });
  else
    apply([](int64_t x, int64_t y) { return std::min(x, y); });
  return out;
}

Expected<Tensor> execPRelu(Operation *op, Operands operands) {
  const Tensor &x = *operands[0], &slope = *operands[1];
  Tensor out = Tensor::allocate(cast<PReluOp>(op).getOutput().getType());
  std::vector<int64_t> ms = broadcastMap(slope.shape, out.shape);
  int64_t n = out.numElements();
  if (!x.isQuantized()) {
    for (int64_t i = 0; i < n; ++i)
      out.f[i] = static_cast<float>(
          real::prelu(x.f[i], static_cast<double>(slope.f[at(ms, i)])));
    return out;
  }
  for (int64_t i = 0; i < n; ++i)
    out.q[i] = quantizeTo(real::prelu(x.realValue(i),
                                      slope.realValue(at(ms, i))),
                          *out.quant);
  return out;
}

Expected<Tensor> execClamp(Operation *op, Operands operands) {
  auto clamp = cast<ClampOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(clamp.getOutput().getType());
  float lo = clamp.getMin().convertToFloat();
  float hi = clamp.getMax().convertToFloat();
  int64_t n = x.numElements();
  if (!x.isQuantized()) {
    for (int64_t i = 0; i < n; ++i) {
      float v = x.f[i];
      out.f[i] = v < lo ? lo : (v > hi ? hi : v);
    }
    return out;
  }
  int32_t qlo = quantizeTo(lo, *x.quant), qhi = quantizeTo(hi, *x.quant);
  for (int64_t i = 0; i < n; ++i)
    out.q[i] = std::min(std::max(x.q[i], qlo), qhi);
  return out;
}

Expected<Tensor> execSoftmax(Operation *op, Operands operands) {
  bool isLog = isa<LogSoftmaxOp>(op);
  const Tensor &x = *operands[0];
  Tensor out =
      Tensor::allocate(cast<RankedTensorType>(op->getResult(0).getType()));
  int64_t axis =
      isLog ? cast<LogSoftmaxOp>(op).getAxis() : cast<SoftmaxOp>(op).getAxis();
  int64_t outer = 1, len = x.shape[axis], inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d)
    inner *= x.shape[d];
  std::vector<double> v(len);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      int64_t base = o * len * inner + in;
      double mx = -INFINITY;
      for (int64_t k = 0; k < len; ++k) {
        v[k] = x.realValue(base + k * inner);
        mx = std::max(mx, v[k]);
      }
      // log_softmax never goes through log(softmax): x − max − log Σ e^(x−max)
      // keeps every finite input finite.
      double sum = 0.0;
      for (int64_t k = 0; k < len; ++k)
        sum += real::exp(v[k] - mx);
      double logSum = std::log(sum);
      for (int64_t k = 0; k < len; ++k) {
        double y = isLog ? v[k] - mx - logSum : real::exp(v[k] - mx) / sum;
        if (out.isQuantized())
          out.q[base + k * inner] = quantizeTo(y, *out.quant);
        else
          out.f[base + k * inner] = static_cast<float>(y);
      }
    }
  return out;
}

Expected<Tensor> execLut(Operation *op, Operands operands) {
  auto lut = cast<LutOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(lut.getOutput().getType());
  auto table = readIntElements(lut.getTable(), out.quant->isSigned);
  if (!table)
    return kernelError("cannot read the table (elided or unsupported data)");
  int64_t base = x.quant->storageMin;
  int64_t size = static_cast<int64_t>(table->size());
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    int64_t idx = int64_t(x.q[i]) - base;
    if (idx < 0 || idx >= size)
      return kernelError("storage value " + llvm::Twine(x.q[i]) +
                         " is outside the table");
    out.q[i] = static_cast<int32_t>(numerics::saturate(
        (*table)[idx], out.quant->storageMin, out.quant->storageMax));
  }
  return out;
}

Expected<Tensor> execQuantize(Operation *op, Operands operands) {
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(cast<QuantizeOp>(op).getOutput().getType());
  const QuantParams &p = *out.quant;
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    // Numerics maps NaN to the zero point; a NaN reaching a quantized
    // tensor is bad data, so say so instead of computing on a made-up 0.
    if (std::isnan(x.f[i]))
      return kernelError("element " + llvm::Twine(i) +
                         " is NaN, which a quantized tensor cannot hold");
    out.q[i] = quantizeTo(x.f[i], p, channelOf(p, i, out.shape));
  }
  return out;
}

Expected<Tensor> execDequantize(Operation *op, Operands operands) {
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(cast<DequantizeOp>(op).getOutput().getType());
  for (int64_t i = 0, n = x.numElements(); i < n; ++i)
    out.f[i] = static_cast<float>(x.realValue(i));
  return out;
}

Expected<Tensor> execRequant(Operation *op, Operands operands) {
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(cast<RequantOp>(op).getOutput().getType());
  const QuantParams &pi = *x.quant, &po = *out.quant;
  std::vector<numerics::ScaleMultiplier> m;
  for (size_t c = 0; c < pi.scales.size(); ++c) {
    double ratio = pi.scale(c) / po.scale(c);
    auto sm = numerics::computeScaleMultiplier(ratio);
    if (!sm)
      return kernelError("scale ratio " + formatReal(ratio) +
                         " cannot be expressed as a 32-bit multiplier");
    m.push_back(*sm);
  }
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    int64_t c = channelOf(pi, i, x.shape);
    out.q[i] = static_cast<int32_t>(
        numerics::requantize(x.q[i], pi.zeroPoint(c), m[c], po.zeroPoint(c),
                             po.storageMin, po.storageMax));
  }
  return out;
}

Expected<Tensor> execDigit(Operation *op, Operands operands) {
  auto digit = cast<DigitOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(digit.getOutput().getType());
  const QuantParams &po = *out.quant;
  int64_t zp = x.quant->zeroPoint(0);
  int64_t shift = digit.getBits() * digit.getIndex();
  int64_t mask = (int64_t(1) << digit.getBits()) - 1;
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    int64_t v = (int64_t(x.q[i]) - zp) >> shift; // arithmetic: floor
    out.q[i] = static_cast<int32_t>(
        po.isSigned ? numerics::saturate(v, po.storageMin, po.storageMax)
                    : (v & mask));
  }
  return out;
}

} // namespace mote::interp
