//===- MoteOps.cpp - Mote op builders and verifiers ------------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Verifiers check shapes against the shape rules of MoteTypeUtils.h and the
// consistency of quantized types, and say in their messages what is wrong
// and what was expected, so that a bad import or a bad hand-written test
// fails at the op that is wrong rather than deep in lowering.
//
//===----------------------------------------------------------------------===//

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Numerics/Numerics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mote;

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

static RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Checks that every zero point of a quantized type lies in its storage
/// range. The upstream quant parser accepts `!quant.uniform<i8:f32, 0.5:300>`,
/// and every kernel would then compute garbage silently.
static LogicalResult verifyZeroPointsFit(Operation *op, Value value,
                                         StringRef name) {
  auto shaped = dyn_cast<ShapedType>(value.getType());
  auto element =
      shaped ? dyn_cast<quant::QuantizedType>(shaped.getElementType()) : nullptr;
  if (!element)
    return success();
  SmallVector<int64_t> zeroPoints;
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(element))
    zeroPoints.push_back(uniform.getZeroPoint());
  else if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element))
    zeroPoints.append(perAxis.getZeroPoints().begin(),
                      perAxis.getZeroPoints().end());
  for (int64_t zp : zeroPoints)
    if (zp < element.getStorageTypeMin() || zp > element.getStorageTypeMax())
      return op->emitOpError()
             << name << " has zero point " << zp
             << " outside its storage range [" << element.getStorageTypeMin()
             << ", " << element.getStorageTypeMax() << "]";
  return success();
}

/// Checks that a per-axis quantized type fits its tensor: the axis exists
/// and there is one scale per slice (and, for any quantized type, that its
/// zero points fit the storage type).
static LogicalResult verifyPerAxisFits(Operation *op, Value value,
                                       StringRef name) {
  if (failed(verifyZeroPointsFit(op, value, name)))
    return failure();
  auto type = tensorType(value);
  auto perAxis =
      dyn_cast<quant::UniformQuantizedPerAxisType>(type.getElementType());
  if (!perAxis)
    return success();
  int64_t axis = perAxis.getQuantizedDimension();
  if (axis < 0 || axis >= type.getRank())
    return op->emitOpError() << name << " is quantized along axis " << axis
                             << " but has rank " << type.getRank();
  if (static_cast<int64_t>(perAxis.getScales().size()) != type.getDimSize(axis))
    return op->emitOpError()
           << name << " has " << perAxis.getScales().size()
           << " per-axis scales but dimension " << axis << " has size "
           << type.getDimSize(axis);
  return success();
}

static LogicalResult verifyAllPerAxisFit(Operation *op) {
  for (auto [i, operand] : llvm::enumerate(op->getOperands()))
    if (failed(verifyPerAxisFits(op, operand, "operand #" + std::to_string(i))))
      return failure();
  for (Value result : op->getResults())
    if (failed(verifyPerAxisFits(op, result, "result")))
      return failure();
  return success();
}

/// Either every listed value is quantized or none is.
static LogicalResult verifyAllOrNoneQuantized(Operation *op,
                                              ArrayRef<Value> values) {
  bool anyQuantized = false, anyFloat = false;
  for (Value v : values) {
    if (!v)
      continue;
    if (failed(verifyZeroPointsFit(op, v, "a value")))
      return failure();
    (isQuantizedTensor(v.getType()) ? anyQuantized : anyFloat) = true;
  }
  if (anyQuantized && anyFloat)
    return op->emitOpError(
        "mixes float and quantized tensors; insert mote.quantize or "
        "mote.dequantize so that all operands and the result agree");
  return success();
}

static LogicalResult verifyPerTensor(Operation *op, Value value,
                                     StringRef name) {
  if (isa<quant::UniformQuantizedPerAxisType>(
          tensorType(value).getElementType()))
    return op->emitOpError() << name
                             << " must be quantized per tensor, not per axis";
  return success();
}

/// Checks that a product's implied requantization s_in·s_w/s_out can be
/// expressed as a 32-bit multiplier and shift.
static LogicalResult verifyRequantRatio(Operation *op, double ratio) {
  if (!numerics::computeScaleMultiplier(ratio))
    return op->emitOpError()
           << "implies a requantization ratio " << ratio
           << " that no 32-bit multiplier with shift in [1, 62] expresses; "
              "the result scale is out of range for its operands";
  return success();
}

/// Quantized consistency of a product op (conv, matmul, fully connected):
/// input and result per tensor (or a per-axis accumulator), weight per
/// tensor or per `weightAxis`, bias an i32 accumulator-scaled tensor.
static LogicalResult verifyQuantizedProduct(Operation *op, Value input,
                                            Value weight, Value bias,
                                            Value output, int64_t weightAxis,
                                            int64_t outputChannelDim) {
  if (failed(verifyAllOrNoneQuantized(op, {input, weight, output})))
    return failure();
  if (!isQuantizedTensor(input.getType())) {
    if (bias && isQuantizedTensor(bias.getType()))
      return op->emitOpError("has a quantized bias but float operands");
    return success();
  }
  if (failed(verifyPerTensor(op, input, "input")))
    return failure();
  QuantParams in = *getQuantParams(input.getType());
  QuantParams w = *getQuantParams(weight.getType());
  QuantParams out = *getQuantParams(output.getType());
  if (w.isPerAxis() && w.axis != weightAxis)
    return op->emitOpError() << "weight must be quantized per tensor or along "
                                "its output-channel axis "
                             << weightAxis << ", not axis " << w.axis;
  int64_t channels = tensorType(weight).getDimSize(weightAxis);
  bool isAccumulator = out.storageBits == 32;

  if (bias) {
    if (!isQuantizedTensor(bias.getType()))
      return op->emitOpError("has a float bias but quantized operands; the "
                             "bias must be i32 with scale s_in * s_w");
    QuantParams b = *getQuantParams(bias.getType());
    if (b.storageBits != 32)
      return op->emitOpError() << "bias must have 32-bit storage, not "
                               << b.storageBits << "-bit";
    for (int64_t c = 0; c < channels; ++c) {
      double expected = in.scale(0) * w.scale(c);
      if (b.zeroPoint(c) != 0)
        return op->emitOpError("bias zero point must be 0");
      if (!scalesMatch(b.scale(c), expected))
        return op->emitOpError()
               << "bias scale " << b.scale(c) << " of channel " << c
               << " must equal input scale * weight scale = " << expected;
    }
  }

  if (isAccumulator) {
    if (out.isPerAxis() && out.axis != outputChannelDim)
      return op->emitOpError()
             << "accumulator result may be per axis only along its channel "
                "dimension "
             << outputChannelDim;
    for (int64_t c = 0; c < channels; ++c) {
      double expected = in.scale(0) * w.scale(c);
      if (out.zeroPoint(c) != 0)
        return op->emitOpError("32-bit accumulator result must have zero "
                               "point 0");
      if (!scalesMatch(out.scale(c), expected))
        return op->emitOpError()
               << "32-bit accumulator result scale " << out.scale(c)
               << " of channel " << c
               << " must equal input scale * weight scale = " << expected;
    }
    return success();
  }
  if (failed(verifyPerTensor(op, output, "result")))
    return failure();
  for (int64_t c = 0; c < channels; ++c)
    if (failed(
            verifyRequantRatio(op, in.scale(0) * w.scale(c) / out.scale(0))))
      return failure();
  return success();
}

static LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> pad) {
  if (strides.size() != 2 || llvm::any_of(strides, [](int64_t s) {
        return s <= 0;
      }))
    return op->emitOpError("strides must be two positive integers [sh, sw]");
  if (dilations.size() != 2 || llvm::any_of(dilations, [](int64_t d) {
        return d <= 0;
      }))
    return op->emitOpError(
        "dilations must be two positive integers [dh, dw]");
  if (pad.size() != 4 ||
      llvm::any_of(pad, [](int64_t p) { return p < 0; }))
    return op->emitOpError(
        "pad must be four non-negative integers [top, bottom, left, right]");
  if (kernel.size() != 2 ||
      llvm::any_of(kernel, [](int64_t k) { return k <= 0; }))
    return op->emitOpError("kernel must be two positive integers [kh, kw]");
  return success();
}

/// Checks an NHWC windowed op's result spatial size.
static LogicalResult
verifyWindowOutput(Operation *op, RankedTensorType inType,
                   RankedTensorType outType, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                   ArrayRef<int64_t> pad, int64_t outChannels, bool ceilMode) {
  int64_t oh = windowOutputSize(inType.getDimSize(1), kernel[0], strides[0],
                                dilations[0], pad[0], pad[1], ceilMode);
  int64_t ow = windowOutputSize(inType.getDimSize(2), kernel[1], strides[1],
                                dilations[1], pad[2], pad[3], ceilMode);
  if (oh <= 0 || ow <= 0)
    return op->emitOpError() << "window " << kernel[0] << "x" << kernel[1]
                             << " (dilated) does not fit the padded input "
                             << formatShape(inType.getShape());
  SmallVector<int64_t> expected = {inType.getDimSize(0), oh, ow, outChannels};
  if (outType.getShape() != ArrayRef<int64_t>(expected))
    return op->emitOpError()
           << "result shape " << formatShape(outType.getShape())
           << " does not match the inferred NHWC shape "
           << formatShape(expected);
  return success();
}

static LogicalResult verifyRank(Operation *op, Value value, int64_t rank,
                                StringRef name, StringRef layout) {
  if (tensorType(value).getRank() != rank)
    return op->emitOpError() << name << " must be rank " << rank << " ("
                             << layout << "), got "
                             << formatShape(tensorType(value).getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  auto valueType = cast<ShapedType>(getValue().getType());
  auto resultType = tensorType(getOutput());
  if (valueType.getShape() != resultType.getShape())
    return emitOpError() << "value shape " << formatShape(valueType.getShape())
                         << " does not match result shape "
                         << formatShape(resultType.getShape());
  Type expected = getStorageElementType(resultType.getElementType());
  if (valueType.getElementType() != expected)
    return emitOpError() << "value element type " << valueType.getElementType()
                         << " must be the result's storage type " << expected;
  return verifyAllPerAxisFit(*this);
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  if (failed(verifyAllPerAxisFit(*this)) ||
      failed(verifyRank(*this, getInput(), 4, "input", "NHWC")) ||
      failed(verifyRank(*this, getFilter(), 4, "filter", "OHWI")) ||
      failed(verifyRank(*this, getOutput(), 4, "result", "NHWC")))
    return failure();
  auto in = tensorType(getInput());
  auto filter = tensorType(getFilter());
  int64_t groups = getGroups();
  int64_t channels = in.getDimSize(3), outChannels = filter.getDimSize(0);
  if (groups <= 0)
    return emitOpError("groups must be positive");
  if (channels % groups != 0 || outChannels % groups != 0)
    return emitOpError() << "input channels (" << channels
                         << ") and output channels (" << outChannels
                         << ") must both be divisible by groups (" << groups
                         << ")";
  if (filter.getDimSize(3) != channels / groups)
    return emitOpError() << "filter has " << filter.getDimSize(3)
                         << " input channels per group; expected input "
                            "channels / groups = "
                         << channels / groups;
  if (Value bias = getBias()) {
    auto b = tensorType(bias);
    if (b.getRank() != 1 || b.getDimSize(0) != outChannels)
      return emitOpError() << "bias must have shape " << outChannels
                           << " (one per output channel), got "
                           << formatShape(b.getShape());
  }
  SmallVector<int64_t, 2> kernel = {filter.getDimSize(1), filter.getDimSize(2)};
  if (failed(verifyWindowAttrs(*this, kernel, getStrides(), getDilations(),
                               getPad())) ||
      failed(verifyWindowOutput(*this, in, tensorType(getOutput()), kernel,
                                getStrides(), getDilations(), getPad(),
                                outChannels, /*ceilMode=*/false)))
    return failure();
  return verifyQuantizedProduct(*this, getInput(), getFilter(), getBias(),
                                getOutput(), /*weightAxis=*/0,
                                /*outputChannelDim=*/3);
}

//===----------------------------------------------------------------------===//
// MatMulOp and FullyConnectedOp
//===----------------------------------------------------------------------===//

/// Result shape of a numpy-style matmul of two rank ≥ 2 tensors.
static std::optional<SmallVector<int64_t>>
inferMatMulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  if (lhs.size() < 2 || rhs.size() < 2 || lhs.back() != rhs[rhs.size() - 2])
    return std::nullopt;
  auto batch = broadcastShapes(lhs.drop_back(2), rhs.drop_back(2));
  if (!batch)
    return std::nullopt;
  batch->push_back(lhs[lhs.size() - 2]);
  batch->push_back(rhs.back());
  return batch;
}

LogicalResult MatMulOp::verify() {
  if (failed(verifyAllPerAxisFit(*this)))
    return failure();
  auto lhs = tensorType(getLhs()), rhs = tensorType(getRhs());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOpError() << "operands must have rank >= 2, got "
                         << formatShape(lhs.getShape()) << " and "
                         << formatShape(rhs.getShape());
  auto shape = inferMatMulShape(lhs.getShape(), rhs.getShape());
  if (!shape)
    return emitOpError() << "operand shapes " << formatShape(lhs.getShape())
                         << " and " << formatShape(rhs.getShape())
                         << " are incompatible (inner dimensions or batch "
                            "broadcast)";
  auto out = tensorType(getOutput());
  if (out.getShape() != ArrayRef<int64_t>(*shape))
    return emitOpError() << "result shape " << formatShape(out.getShape())
                         << " does not match the inferred shape "
                         << formatShape(*shape);
  return verifyQuantizedProduct(*this, getLhs(), getRhs(), Value(),
                                getOutput(), /*weightAxis=*/rhs.getRank() - 1,
                                /*outputChannelDim=*/out.getRank() - 1);
}

LogicalResult FullyConnectedOp::verify() {
  if (failed(verifyAllPerAxisFit(*this)) ||
      failed(verifyRank(*this, getWeight(), 2, "weight", "[out, in]")))
    return failure();
  auto in = tensorType(getInput()), w = tensorType(getWeight());
  if (in.getRank() < 1 || in.getShape().back() != w.getDimSize(1))
    return emitOpError() << "input " << formatShape(in.getShape())
                         << " must end in the weight's input features ("
                         << w.getDimSize(1) << ")";
  if (Value bias = getBias()) {
    auto b = tensorType(bias);
    if (b.getRank() != 1 || b.getDimSize(0) != w.getDimSize(0))
      return emitOpError() << "bias must have shape " << w.getDimSize(0)
                           << ", got " << formatShape(b.getShape());
  }
  SmallVector<int64_t> expected(in.getShape());
  expected.back() = w.getDimSize(0);
  auto out = tensorType(getOutput());
  if (out.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape " << formatShape(out.getShape())
                         << " does not match the inferred shape "
                         << formatShape(expected);
  return verifyQuantizedProduct(*this, getInput(), getWeight(), getBias(),
                                getOutput(), /*weightAxis=*/0,
                                /*outputChannelDim=*/out.getRank() - 1);
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyBinary(Operation *op, Value lhs, Value rhs,
                                  Value out, bool allowQuantized) {
  auto shape = broadcastShapes(tensorType(lhs).getShape(),
                               tensorType(rhs).getShape());
  if (!shape)
    return op->emitOpError()
           << "operand shapes " << formatShape(tensorType(lhs).getShape())
           << " and " << formatShape(tensorType(rhs).getShape())
           << " do not broadcast";
  if (tensorType(out).getShape() != ArrayRef<int64_t>(*shape))
    return op->emitOpError()
           << "result shape " << formatShape(tensorType(out).getShape())
           << " does not match the broadcast shape " << formatShape(*shape);
  if (failed(verifyAllOrNoneQuantized(op, {lhs, rhs, out})))
    return failure();
  if (!isQuantizedTensor(out.getType()))
    return success();
  if (!allowQuantized)
    return op->emitOpError("has no quantized form; keep it in float");
  for (Value v : {lhs, rhs, out})
    if (failed(verifyPerTensor(op, v, v == out ? "result" : "operand")))
      return failure();
  return success();
}

#define MOTE_BINARY_VERIFIER(OP, QUANT)                                        \
  bool OP::supportsQuantized() { return QUANT; }                              \
  LogicalResult OP::verify() {                                                 \
    return verifyBinary(*this, getLhs(), getRhs(), getOutput(), QUANT);       \
  }
MOTE_BINARY_VERIFIER(AddOp, true)
MOTE_BINARY_VERIFIER(SubOp, true)
MOTE_BINARY_VERIFIER(MulOp, true)
MOTE_BINARY_VERIFIER(DivOp, false)
MOTE_BINARY_VERIFIER(MaximumOp, true)
MOTE_BINARY_VERIFIER(MinimumOp, true)
#undef MOTE_BINARY_VERIFIER

LogicalResult PReluOp::verify() {
  auto in = tensorType(getInput());
  auto shape = broadcastShapes(in.getShape(), tensorType(getSlope()).getShape());
  if (!shape || ArrayRef<int64_t>(*shape) != in.getShape())
    return emitOpError() << "slope "
                         << formatShape(tensorType(getSlope()).getShape())
                         << " must broadcast to the input shape "
                         << formatShape(in.getShape());
  if (tensorType(getOutput()).getShape() != in.getShape())
    return emitOpError("result shape must equal the input shape");
  if (failed(verifyAllOrNoneQuantized(*this, {getInput(), getSlope(),
                                              getOutput()})))
    return failure();
  if (isQuantizedTensor(getInput().getType()))
    for (Value v : {getInput(), getSlope(), getOutput()})
      if (failed(verifyPerTensor(*this, v, "operand")))
        return failure();
  return success();
}

static LogicalResult verifyUnary(Operation *op, Value in, Value out) {
  if (failed(verifyAllOrNoneQuantized(op, {in, out})))
    return failure();
  if (!isQuantizedTensor(in.getType()))
    return success();
  if (failed(verifyPerTensor(op, in, "input")) ||
      failed(verifyPerTensor(op, out, "result")))
    return failure();
  return success();
}

LogicalResult SigmoidOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult TanhOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult HardSigmoidOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult HardSwishOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult LeakyReluOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult ExpOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult EluOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult SeluOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}
LogicalResult SoftplusOp::verify() {
  return verifyUnary(*this, getInput(), getOutput());
}

LogicalResult ClampOp::verify() {
  if (!(getMin().convertToFloat() <= getMax().convertToFloat()))
    return emitOpError() << "min (" << getMin().convertToFloat()
                         << ") must not exceed max ("
                         << getMax().convertToFloat() << ")";
  return verifyUnary(*this, getInput(), getOutput());
}

LogicalResult LutOp::verify() {
  QuantParams in = *getQuantParams(getInput().getType());
  QuantParams out = *getQuantParams(getOutput().getType());
  if (in.isPerAxis() || out.isPerAxis())
    return emitOpError("input and result must be quantized per tensor");
  if (in.storageBits > 8)
    return emitOpError() << "input storage must be at most 8 bits for a "
                            "table lookup, got "
                         << in.storageBits;
  auto tableType = cast<ShapedType>(getTable().getType());
  int64_t entries = int64_t(1) << in.storageBits;
  if (tableType.getRank() != 1 || tableType.getDimSize(0) != entries)
    return emitOpError() << "table must be rank 1 with 2^" << in.storageBits
                         << " = " << entries << " entries, got "
                         << formatShape(tableType.getShape());
  Type storage = getStorageElementType(
      tensorType(getOutput()).getElementType());
  if (tableType.getElementType() != storage)
    return emitOpError() << "table elements must be the result storage type "
                         << storage << ", got " << tableType.getElementType();
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = tensorType(getInput()).getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return verifyUnary(*this, getInput(), getOutput());
}

LogicalResult LogSoftmaxOp::verify() {
  int64_t rank = tensorType(getInput()).getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  return verifyUnary(*this, getInput(), getOutput());
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult verifyPool(Operation *op, Value input, Value output,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pad, bool ceilMode) {
  if (failed(verifyRank(op, input, 4, "input", "NHWC")) ||
      failed(verifyRank(op, output, 4, "result", "NHWC")) ||
      failed(verifyWindowAttrs(op, kernel, strides, dilations, pad)))
    return failure();
  auto in = tensorType(input);
  if (failed(verifyWindowOutput(op, in, tensorType(output), kernel, strides,
                                dilations, pad, in.getDimSize(3), ceilMode)))
    return failure();
  return verifyUnary(op, input, output);
}

LogicalResult MaxPool2DOp::verify() {
  if (failed(verifyPool(*this, getInput(), getOutput(), getKernel(),
                        getStrides(), getDilations(), getPad(), getCeilMode())))
    return failure();
  if (getInput().getType().getElementType() !=
      getOutput().getType().getElementType())
    return emitOpError("input and result element types must match (max "
                       "pooling never rescales)");
  return success();
}

LogicalResult AvgPool2DOp::verify() {
  SmallVector<int64_t, 2> unitDilation = {1, 1};
  return verifyPool(*this, getInput(), getOutput(), getKernel(), getStrides(),
                    unitDilation, getPad(), getCeilMode());
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto out = tensorType(getOutput());
  int64_t rank = out.getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank "
                         << rank;
  int64_t total = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    auto t = tensorType(input);
    if (t.getRank() != rank)
      return emitOpError() << "input #" << i << " has rank " << t.getRank()
                           << ", expected " << rank;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t.getDimSize(d) != out.getDimSize(d))
        return emitOpError() << "input #" << i << " shape "
                             << formatShape(t.getShape())
                             << " differs from the result "
                             << formatShape(out.getShape())
                             << " outside the concatenation axis";
    total += t.getDimSize(axis);
  }
  if (total != out.getDimSize(axis))
    return emitOpError() << "result has " << out.getDimSize(axis)
                         << " elements along axis " << axis
                         << " but the inputs add up to " << total;
  SmallVector<Value> all(getInputs().begin(), getInputs().end());
  all.push_back(getOutput());
  if (failed(verifyAllOrNoneQuantized(*this, all)))
    return failure();
  if (isQuantizedTensor(out))
    for (Value v : all)
      if (failed(verifyPerTensor(*this, v, "operand")))
        return failure();
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = tensorType(getInput()), out = tensorType(getOutput());
  if (in.getNumElements() != out.getNumElements())
    return emitOpError() << "cannot reshape " << formatShape(in.getShape())
                         << " (" << in.getNumElements() << " elements) to "
                         << formatShape(out.getShape()) << " ("
                         << out.getNumElements() << " elements)";
  if (in.getElementType() == out.getElementType() &&
      !isa<quant::UniformQuantizedPerAxisType>(in.getElementType()))
    return success();
  auto inAxis =
      dyn_cast<quant::UniformQuantizedPerAxisType>(in.getElementType());
  auto outAxis =
      dyn_cast<quant::UniformQuantizedPerAxisType>(out.getElementType());
  if (!inAxis || !outAxis || inAxis.getScales() != outAxis.getScales() ||
      inAxis.getZeroPoints() != outAxis.getZeroPoints())
    return emitOpError("input and result element types must match");
  if (failed(verifyAllPerAxisFit(*this)))
    return failure();
  // The quantized axis must keep its extent and the elements before it.
  auto prefix = [](RankedTensorType t, int64_t axis) {
    int64_t n = 1;
    for (int64_t d = 0; d < axis; ++d)
      n *= t.getDimSize(d);
    return n;
  };
  if (prefix(in, inAxis.getQuantizedDimension()) !=
      prefix(out, outAxis.getQuantizedDimension()))
    return emitOpError("reshape would split or merge the per-axis quantized "
                       "dimension");
  return success();
}

void TransposeOp::build(OpBuilder &builder, OperationState &state, Value input,
                        ArrayRef<int64_t> perms) {
  auto in = tensorType(input);
  SmallVector<int64_t> shape;
  for (int64_t p : perms)
    shape.push_back(in.getDimSize(p));
  Type element = in.getElementType();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
    int32_t newAxis = static_cast<int32_t>(
        llvm::find(perms, perAxis.getQuantizedDimension()) - perms.begin());
    element = quant::UniformQuantizedPerAxisType::get(
        perAxis.getFlags(), perAxis.getStorageType(),
        perAxis.getExpressedType(), perAxis.getScales(),
        perAxis.getZeroPoints(), newAxis, perAxis.getStorageTypeMin(),
        perAxis.getStorageTypeMax());
  }
  build(builder, state, RankedTensorType::get(shape, element), input,
        builder.getDenseI64ArrayAttr(perms));
}

LogicalResult TransposeOp::verify() {
  auto in = tensorType(getInput()), out = tensorType(getOutput());
  ArrayRef<int64_t> perms = getPerms();
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(perms.size()) != rank || out.getRank() != rank)
    return emitOpError() << "perms must list each of the " << rank
                         << " dimensions once";
  SmallVector<bool> seen(rank, false);
  for (int64_t p : perms) {
    if (p < 0 || p >= rank || seen[p])
      return emitOpError("perms must be a permutation of [0, rank)");
    seen[p] = true;
  }
  for (int64_t i = 0; i < rank; ++i)
    if (out.getDimSize(i) != in.getDimSize(perms[i]))
      return emitOpError() << "result shape " << formatShape(out.getShape())
                           << " is not the input "
                           << formatShape(in.getShape()) << " permuted";
  auto inAxis =
      dyn_cast<quant::UniformQuantizedPerAxisType>(in.getElementType());
  if (!inAxis) {
    if (in.getElementType() != out.getElementType())
      return emitOpError("input and result element types must match");
    return success();
  }
  auto outAxis =
      dyn_cast<quant::UniformQuantizedPerAxisType>(out.getElementType());
  if (!outAxis || outAxis.getScales() != inAxis.getScales() ||
      outAxis.getZeroPoints() != inAxis.getZeroPoints() ||
      perms[outAxis.getQuantizedDimension()] !=
          inAxis.getQuantizedDimension())
    return emitOpError("result must carry the input's per-axis quantization "
                       "on the permuted axis");
  return success();
}

LogicalResult PadOp::verify() {
  auto in = tensorType(getInput()), out = tensorType(getOutput());
  ArrayRef<int64_t> pads = getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * in.getRank())
    return emitOpError() << "pads must hold 2 * rank = " << 2 * in.getRank()
                         << " values [low_0, high_0, ...], got "
                         << pads.size();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOpError("pads must be non-negative");
  if (out.getRank() != in.getRank())
    return emitOpError("result rank must equal input rank");
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (out.getDimSize(d) != in.getDimSize(d) + pads[2 * d] + pads[2 * d + 1])
      return emitOpError() << "result shape " << formatShape(out.getShape())
                           << " does not match the padded input shape";
  if (in.getElementType() != out.getElementType())
    return emitOpError("input and result element types must match");
  return verifyUnary(*this, getInput(), getOutput());
}

//===----------------------------------------------------------------------===//
// Quantization ops
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() { return verifyAllPerAxisFit(*this); }
LogicalResult DequantizeOp::verify() { return verifyAllPerAxisFit(*this); }

LogicalResult RequantOp::verify() {
  if (failed(verifyAllPerAxisFit(*this)))
    return failure();
  QuantParams in = *getQuantParams(getInput().getType());
  QuantParams out = *getQuantParams(getOutput().getType());
  if (out.isPerAxis() && (!in.isPerAxis() || in.axis != out.axis))
    return emitOpError("a per-axis result needs an input quantized along the "
                       "same axis");
  int64_t channels = in.scales.size();
  for (int64_t c = 0; c < channels; ++c)
    if (failed(verifyRequantRatio(*this, in.scale(c) / out.scale(c))))
      return failure();
  return success();
}

LogicalResult DigitOp::verify() {
  if (failed(verifyPerTensor(*this, getInput(), "input")) ||
      failed(verifyPerTensor(*this, getOutput(), "result")))
    return failure();
  QuantParams out = *getQuantParams(getOutput().getType());
  int64_t bits = getBits(), index = getIndex();
  if (bits < 1 || bits > 16)
    return emitOpError() << "bits must be in [1, 16], got " << bits;
  if (index < 0 || bits * index > 62)
    return emitOpError() << "index must be in [0, 62 / bits], got " << index;
  if (static_cast<int64_t>(out.storageBits) != bits)
    return emitOpError() << "result storage must have " << bits
                         << " bits (one digit), not " << out.storageBits;
  if (out.zeroPoint(0) != 0)
    return emitOpError("result zero point must be 0");
  return success();
}

#define GET_OP_CLASSES
#include "Mote/MoteOps.cpp.inc"
