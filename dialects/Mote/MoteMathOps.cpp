//===- MoteMathOps.cpp - Verifiers of math, reduction and norm ops ---------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the ops in MoteMathOps.td. Debian's LLVM has no assertions,
// so every shape and attribute the kernels index with is checked here: a
// bad axis list must fail at the op, not crash the interpreter.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"

using namespace mlir;
using namespace mote;

namespace {

RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Float in and float out, or both quantized per tensor with zero points
/// inside their storage ranges.
LogicalResult verifyElementwiseTypes(Operation *op, Value in, Value out) {
  bool qin = isQuantizedTensor(in.getType());
  bool qout = isQuantizedTensor(out.getType());
  if (qin != qout)
    return op->emitOpError(
        "mixes float and quantized tensors; insert mote.quantize or "
        "mote.dequantize so that the operand and the result agree");
  if (!qin)
    return success();
  for (Value v : {in, out}) {
    QuantParams p = *getQuantParams(v.getType());
    if (p.isPerAxis())
      return op->emitOpError() << (v == in ? "input" : "result")
                               << " must be quantized per tensor, not per "
                                  "axis";
    if (p.zeroPoint(0) < p.storageMin || p.zeroPoint(0) > p.storageMax)
      return op->emitOpError() << (v == in ? "input" : "result")
                               << " has zero point " << p.zeroPoint(0)
                               << " outside its storage range ["
                               << p.storageMin << ", " << p.storageMax << "]";
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise math
//===----------------------------------------------------------------------===//

#define MOTE_MATH_UNARY_VERIFIER(OP)                                           \
  LogicalResult OP::verify() {                                                 \
    return verifyElementwiseTypes(*this, getInput(), getOutput());             \
  }
MOTE_MATH_UNARY_VERIFIER(SqrtOp)
MOTE_MATH_UNARY_VERIFIER(ReciprocalOp)
MOTE_MATH_UNARY_VERIFIER(LogOp)
MOTE_MATH_UNARY_VERIFIER(ErfOp)
MOTE_MATH_UNARY_VERIFIER(SiluOp)
MOTE_MATH_UNARY_VERIFIER(GeluOp)
#undef MOTE_MATH_UNARY_VERIFIER

LogicalResult PowOp::verify() {
  if (!std::isfinite(getExponent().convertToFloat()))
    return emitOpError("exponent must be a finite number");
  return verifyElementwiseTypes(*this, getInput(), getOutput());
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Shape rules shared by the reductions; `rescales` says whether the
/// quantized form rescales (sum, mean) or keeps the input's type (max, min).
static LogicalResult verifyReduce(Operation *op, Value input, Value output,
                                  ArrayRef<int64_t> axes, bool keepdims,
                                  bool rescales) {
  auto in = tensorTypeOf(input), out = tensorTypeOf(output);
  int64_t rank = in.getRank();
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank)
      return op->emitOpError() << "axis " << axes[i]
                               << " is out of range for rank " << rank;
    if (i > 0 && axes[i] <= axes[i - 1])
      return op->emitOpError("axes must be sorted and distinct");
  }
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    if (!reduced)
      expected.push_back(in.getDimSize(d));
    else if (keepdims)
      expected.push_back(1);
  }
  if (out.getShape() != ArrayRef<int64_t>(expected))
    return op->emitOpError()
           << "result shape " << formatShape(out.getShape())
           << " does not match the reduced shape " << formatShape(expected);
  if (failed(verifyElementwiseTypes(op, input, output)))
    return failure();
  if (!isQuantizedTensor(in))
    return success();
  if (!rescales) {
    if (in.getElementType() != out.getElementType())
      return op->emitOpError("input and result element types must match (a "
                             "quantized max or min never rescales)");
    return success();
  }
  // The integer form rescales the sum of (q − zp) by s_in / (s_out · count).
  int64_t count = 1;
  for (int64_t a : axes)
    count *= in.getDimSize(a);
  double ratio = getQuantParams(in)->scale(0) / getQuantParams(out)->scale(0);
  if (isa<ReduceMeanOp>(op))
    ratio /= static_cast<double>(count);
  if (!numerics::computeScaleMultiplier(ratio))
    return op->emitOpError()
           << "implies a rescaling ratio " << ratio
           << " that no 32-bit multiplier with shift in [1, 62] expresses";
  return success();
}

LogicalResult ReduceSumOp::verify() {
  return verifyReduce(*this, getInput(), getOutput(), getAxes(), getKeepdims(),
                      /*rescales=*/true);
}
LogicalResult ReduceMeanOp::verify() {
  return verifyReduce(*this, getInput(), getOutput(), getAxes(), getKeepdims(),
                      /*rescales=*/true);
}
LogicalResult ReduceMaxOp::verify() {
  return verifyReduce(*this, getInput(), getOutput(), getAxes(), getKeepdims(),
                      /*rescales=*/false);
}
LogicalResult ReduceMinOp::verify() {
  return verifyReduce(*this, getInput(), getOutput(), getAxes(), getKeepdims(),
                      /*rescales=*/false);
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  auto in = tensorTypeOf(getInput());
  int64_t rank = in.getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank << " (normalize at least the last dimension)";
  if (tensorTypeOf(getOutput()).getShape() != in.getShape())
    return emitOpError("result shape must equal the input shape");
  float eps = getEpsilon().convertToFloat();
  if (!std::isfinite(eps) || eps < 0.0f)
    return emitOpError() << "epsilon must be finite and non-negative, got "
                         << eps;
  ArrayRef<int64_t> normalized = in.getShape().drop_front(axis);
  for (auto [name, v] : {std::pair<StringRef, Value>{"scale", getScale()},
                         std::pair<StringRef, Value>{"bias", getBias()}}) {
    if (!v)
      continue;
    ArrayRef<int64_t> shape = tensorTypeOf(v).getShape();
    auto b = broadcastShapes(shape, normalized);
    if (shape.size() > normalized.size() || !b ||
        ArrayRef<int64_t>(*b) != normalized)
      return emitOpError() << name << " " << formatShape(shape)
                           << " must broadcast to the normalized shape "
                           << formatShape(normalized);
  }
  return success();
}
