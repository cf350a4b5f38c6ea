//===- DataMovementKernels.cpp - constant, concat, reshape, transpose, pad ===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Ops that move data without arithmetic, except concat's requantization of
// inputs whose type differs from the result's (the requant formula) and the
// quantized pad value sat(rne(value / s) + zp).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "mote/Numerics/Numerics.h"

using namespace mlir;
using llvm::Expected;

namespace mote::interp {

namespace {
/// Copies the element storage of either kind.
template <typename Fn>
void forStorage(const Tensor &in, Tensor &out, Fn fn) {
  if (in.isQuantized())
    fn(in.q, out.q);
  else
    fn(in.f, out.f);
}
} // namespace

Expected<Tensor> execConstant(Operation *op) {
  auto cst = cast<ConstantOp>(op);
  Tensor out = Tensor::allocate(cst.getOutput().getType());
  if (!out.isQuantized()) {
    auto values = readFloatElements(cst.getValue());
    if (!values || static_cast<int64_t>(values->size()) != out.numElements())
      return kernelError("cannot read the constant's f32 data (elided, "
                         "missing resource or wrong size)");
    out.f = std::move(*values);
    return out;
  }
  auto values = readIntElements(cst.getValue(), out.quant->isSigned);
  if (!values || static_cast<int64_t>(values->size()) != out.numElements())
    return kernelError("cannot read the constant's storage data (elided, "
                       "missing resource or wrong size)");
  for (size_t i = 0; i < values->size(); ++i)
    out.q[i] = static_cast<int32_t>((*values)[i]);
  return out;
}

Expected<Tensor> execConcat(Operation *op, Operands operands) {
  auto concat = cast<ConcatOp>(op);
  Tensor out = Tensor::allocate(concat.getOutput().getType());
  int64_t axis = concat.getAxis();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= out.shape[d];
  for (size_t d = axis + 1; d < out.shape.size(); ++d)
    inner *= out.shape[d];
  int64_t outRow = out.shape[axis] * inner, offset = 0;
  for (const Tensor *in : operands) {
    int64_t row = in->shape[axis] * inner;
    if (!out.isQuantized()) {
      for (int64_t o = 0; o < outer; ++o)
        std::copy_n(in->f.data() + o * row, row,
                    out.f.data() + o * outRow + offset);
    } else {
      const QuantParams &pi = *in->quant, &po = *out.quant;
      bool same = in->type.getElementType() == out.type.getElementType();
      numerics::ScaleMultiplier m;
      if (!same) {
        double ratio = pi.scale(0) / po.scale(0);
        auto sm = numerics::computeScaleMultiplier(ratio);
        if (!sm)
          return kernelError("input scale ratio " + formatReal(ratio) +
                             " cannot be expressed as a 32-bit multiplier");
        m = *sm;
      }
      for (int64_t o = 0; o < outer; ++o) {
        const int32_t *src = in->q.data() + o * row;
        int32_t *dst = out.q.data() + o * outRow + offset;
        for (int64_t i = 0; i < row; ++i)
          dst[i] = same ? src[i]
                        : static_cast<int32_t>(numerics::requantize(
                              src[i], pi.zeroPoint(0), m, po.zeroPoint(0),
                              po.storageMin, po.storageMax));
      }
    }
    offset += row;
  }
  return out;
}

Expected<Tensor> execReshape(Operation *op, Operands operands) {
  Tensor out = Tensor::allocate(cast<ReshapeOp>(op).getOutput().getType());
  forStorage(*operands[0], out, [](const auto &in, auto &res) { res = in; });
  return out;
}

Expected<Tensor> execTranspose(Operation *op, Operands operands) {
  auto transpose = cast<TransposeOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(transpose.getOutput().getType());
  llvm::ArrayRef<int64_t> perms = transpose.getPerms();
  auto inStrides = stridesOf(x.shape);
  size_t rank = out.shape.size();
  llvm::SmallVector<int64_t, 4> stride(rank);
  for (size_t d = 0; d < rank; ++d)
    stride[d] = inStrides[perms[d]];
  forStorage(x, out, [&](const auto &in, auto &res) {
    llvm::SmallVector<int64_t, 4> idx(rank, 0);
    int64_t src = 0, n = static_cast<int64_t>(res.size());
    for (int64_t i = 0; i < n; ++i) {
      res[i] = in[src];
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < out.shape[d]) {
          src += stride[d];
          break;
        }
        src -= stride[d] * (out.shape[d] - 1);
        idx[d] = 0;
      }
    }
  });
  return out;
}

Expected<Tensor> execPad(Operation *op, Operands operands) {
  auto pad = cast<PadOp>(op);
  const Tensor &x = *operands[0];
  Tensor out = Tensor::allocate(pad.getOutput().getType());
  llvm::ArrayRef<int64_t> pads = pad.getPads();
  float value = pad.getValue().convertToFloat();
  if (out.isQuantized()) {
    const QuantParams &p = *out.quant;
    std::fill(out.q.begin(), out.q.end(),
              static_cast<int32_t>(numerics::quantize(
                  value, p.scale(0), p.zeroPoint(0), p.storageMin,
                  p.storageMax)));
  } else {
    std::fill(out.f.begin(), out.f.end(), value);
  }
  size_t rank = x.shape.size();
  if (x.numElements() == 0)
    return out;
  if (rank == 0) {
    forStorage(x, out, [](const auto &in, auto &res) { res = in; });
    return out;
  }
  auto outStrides = stridesOf(out.shape);
  int64_t rowLen = x.shape[rank - 1];
  int64_t rows = x.numElements() / rowLen;
  forStorage(x, out, [&](const auto &in, auto &res) {
    llvm::SmallVector<int64_t, 4> idx(rank, 0);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t dst = pads[2 * (rank - 1)];
      for (size_t d = 0; d + 1 < rank; ++d)
        dst += (idx[d] + pads[2 * d]) * outStrides[d];
      std::copy_n(in.data() + r * rowLen, rowLen, res.data() + dst);
      for (size_t d = rank - 1; d-- > 0;) {
        if (++idx[d] < x.shape[d])
          break;
        idx[d] = 0;
      }
    }
  });
  return out;
}

} // namespace mote::interp
