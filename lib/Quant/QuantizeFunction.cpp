//===- QuantizeFunction.cpp - Rewrite one function into integers ----------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Turns one calibrated float function into quantized `mote` IR (DESIGN §4).
// A rewrite driver over the function body in program order: each op that
// implements QuantizableOpInterface is replaced through an IRRewriter by
// its integer form, whose kind (product, rescale, same type, table) the
// interface gives; every other op stays in float. The IR is its own value
// map: a replaced op's users see the quantized value at once and the op is
// erased on the spot, so nothing refers to erased IR. Conversions between
// the two domains are inserted on demand and cached, so a value is
// quantized or dequantized at most once.
//
// A TypeConverter does not fit: a value's quantized type follows from its
// calibrated range and its consumer's precision, not from its f32 type.
//
// Scales are rounded to 7 significant digits before they are used: the
// printed IR stays short, and every constant, bias and table computed here
// is reproducible from the scales written in the text.
//
//===----------------------------------------------------------------------===//

#include "QuantizeImpl.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteInterfaces.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"
#include "mote/Interp/UnaryFunction.h"
#include "mote/Quant/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace mote;
using namespace mote::quant;

#define DEBUG_TYPE "mote-quantize"

//===----------------------------------------------------------------------===//
// Weights and constants
//===----------------------------------------------------------------------===//

/// Symmetric narrow-range scales of `values` (shape `shape`) along `axis`
/// (or per tensor if axis < 0): max|w_c| / qmax, zero channels taking the
/// largest other scale.
static SmallVector<double> weightScales(ArrayRef<float> values,
                                        ArrayRef<int64_t> shape, int64_t axis,
                                        unsigned bits) {
  int64_t channels = axis < 0 ? 1 : shape[axis];
  int64_t inner = 1;
  if (axis >= 0)
    for (int64_t d = axis + 1; d < (int64_t)shape.size(); ++d)
      inner *= shape[d];
  SmallVector<double> maxAbs(channels, 0.0);
  for (auto [i, v] : llvm::enumerate(values)) {
    int64_t c = axis < 0 ? 0 : (int64_t(i) / inner) % channels;
    maxAbs[c] = std::max(maxAbs[c], std::fabs(static_cast<double>(v)));
  }
  double qmax = numerics::storageMax(bits, true);
  double largest = 0.0;
  for (double m : maxAbs)
    largest = std::max(largest, m);
  SmallVector<double> scales;
  for (double m : maxAbs)
    scales.push_back(
        printedScale((m > 0.0 ? m : (largest > 0.0 ? largest : 1.0)) / qmax));
  return scales;
}

/// Quantizes float `values` to storage with the parameters of `qtype`
/// (per tensor or per axis) by numerics::quantize.
static std::vector<int64_t> quantizeValues(ArrayRef<float> values,
                                           RankedTensorType qtype) {
  QuantParams q = *getQuantParams(qtype);
  int64_t inner = 1;
  if (q.isPerAxis())
    for (int64_t d = q.axis + 1; d < qtype.getRank(); ++d)
      inner *= qtype.getDimSize(d);
  std::vector<int64_t> out;
  out.reserve(values.size());
  for (auto [i, x] : llvm::enumerate(values)) {
    int64_t c = q.isPerAxis() ? (int64_t(i) / inner) % q.scales.size() : 0;
    out.push_back(numerics::quantize(x, q.scale(c), q.zeroPoint(c),
                                     q.storageMin, q.storageMax));
  }
  return out;
}

std::optional<std::vector<float>> mote::quant::constantFloats(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c || isQuantizedTensor(c.getType()))
    return std::nullopt;
  return readFloatElements(c.getValue());
}

//===----------------------------------------------------------------------===//
// FunctionQuantizer
//===----------------------------------------------------------------------===//

namespace {

class FunctionQuantizer {
public:
  FunctionQuantizer(func::FuncOp fn, const Rules &rules,
                    const PrecisionPlan &plan, Precision defaults, bool useLut,
                    Refinement *refinement, QuantizeSummary &summary)
      : fn(fn), rewriter(fn.getContext()), rules(rules), plan(plan),
        defaults(defaults), useLut(useLut), refinement(refinement),
        summary(summary) {}

  LogicalResult run();

private:
  std::optional<Range> rangeOf(Value v);
  std::optional<Range> resultRange(Operation *op);
  Precision precisionOf(Operation *op);
  RankedTensorType withElement(Value like, Type element) {
    return RankedTensorType::get(
        cast<RankedTensorType>(like.getType()).getShape(), element);
  }
  Value getFloat(Value v);
  FailureOr<Value> getQuantized(Value v, unsigned bits);
  void replace(Operation *op, Value replacement);
  /// The calibrated range of the op's result (resultRange), or an error.
  FailureOr<Range> requireResultRange(Operation *op);
  /// `op` cloned before itself with `operands` in place of its first ones
  /// and its result's element type set to `element`: the integer form of
  /// an op whose attributes stay as they are.
  Value cloneQuantized(Operation *op, ValueRange operands, Type element);
  Value makeConstant(Location loc, RankedTensorType qtype,
                     ArrayRef<float> values, StringRef hint);

  LogicalResult quantizeOp(Operation *op);
  LogicalResult quantizeProduct(Operation *op, Value input, Value weight,
                                Value bias, int64_t weightAxis);
  LogicalResult quantizeRescaling(Operation *op);
  LogicalResult quantizeSameType(Operation *op);
  LogicalResult quantizeNonlinear(Operation *op);
  void keepInFloat(Operation *op, StringRef why);

  func::FuncOp fn;
  IRRewriter rewriter;
  const Rules &rules;
  const PrecisionPlan &plan;
  Precision defaults;
  bool useLut;
  /// Set when the teacher-guided refinements are on for this function.
  Refinement *refinement;
  QuantizeSummary &summary;
  /// The dequantized twin of a quantized value, and the quantized twin of
  /// a float one, each made once.
  llvm::DenseMap<Value, Value> floatCache, quantCache;
  /// Index of each calibrated op among them (plan keys `#N`).
  llvm::DenseMap<Operation *, unsigned> calibIndex;
  /// Ops that were not on f32 tensors alone before the rewrite.
  llvm::DenseSet<Operation *> notOnFloats;
  /// Set when an op fails for a reason that is an error, not a fallback.
  bool hadError = false;
};

std::optional<Range> FunctionQuantizer::rangeOf(Value v) {
  Attribute attr;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    attr = fn.getArgAttr(arg.getArgNumber(), kCalibAttr);
  } else {
    Operation *op = v.getDefiningOp();
    attr = op->getAttr(kCalibAttr);
    if (auto list = dyn_cast_or_null<ArrayAttr>(attr)) {
      unsigned n = cast<OpResult>(v).getResultNumber();
      attr = n < list.size() ? list[n] : Attribute();
    }
  }
  auto pair = dyn_cast_or_null<DenseF64ArrayAttr>(attr);
  if (!pair || pair.size() != 2 || !(pair[0] <= pair[1]))
    return std::nullopt;
  return Range{pair[0], pair[1]};
}

/// The range that fixes an op's result type: its own, or that of a single
/// clamp user, so that the requantizing saturation implements the clamp.
std::optional<Range> FunctionQuantizer::resultRange(Operation *op) {
  Value result = op->getResult(0);
  if (result.hasOneUse())
    if (auto clamp = dyn_cast<ClampOp>(*result.getUsers().begin()))
      if (auto r = rangeOf(clamp.getResult()))
        return r;
  return rangeOf(result);
}

Precision FunctionQuantizer::precisionOf(Operation *op) {
  std::string name = locationName(op->getLoc());
  if (!name.empty()) {
    auto it = plan.byName.find(name);
    if (it != plan.byName.end())
      return it->second;
  }
  auto idx = calibIndex.find(op);
  if (idx != calibIndex.end()) {
    auto it = plan.byIndex.find(idx->second);
    if (it != plan.byIndex.end())
      return it->second;
  }
  return plan.fallback.value_or(defaults);
}

Value FunctionQuantizer::getFloat(Value v) {
  if (!isQuantizedTensor(v.getType()))
    return v;
  Value &cached = floatCache[v];
  if (!cached) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointAfterValue(v);
    cached = DequantizeOp::create(
        rewriter, v.getLoc(), withElement(v, Float32Type::get(fn.getContext())),
        v);
  }
  return cached;
}

Value FunctionQuantizer::makeConstant(Location loc, RankedTensorType qtype,
                                      ArrayRef<float> values, StringRef hint) {
  std::vector<int64_t> storage = quantizeValues(values, qtype);
  ElementsAttr payload =
      makeIntElements(getStorageTensorType(qtype), storage, hint);
  return ConstantOp::create(rewriter, loc, qtype, payload);
}

FailureOr<Value> FunctionQuantizer::getQuantized(Value v, unsigned bits) {
  if (isQuantizedTensor(v.getType()))
    return v;
  if (Value cached = quantCache.lookup(v))
    return cached;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointAfterValue(v);
  // A float value here is an argument, a constant or the result of an op
  // kept in float: its calibrated range is still on it.
  Value q;
  if (auto floats = constantFloats(v)) {
    // A float constant used as an activation: per tensor over its values.
    Range r;
    for (float x : *floats) {
      r.lo = std::min<double>(r.lo, x);
      r.hi = std::max<double>(r.hi, x);
    }
    auto qtype = withElement(v, rules.activationType(fn.getContext(), r, bits));
    q = makeConstant(v.getLoc(), qtype, *floats, "qconst");
  } else {
    std::optional<Range> r = rangeOf(v);
    if (!r) {
      if (auto arg = dyn_cast<BlockArgument>(v))
        fn.emitError() << "mote-quantize: argument #" << arg.getArgNumber()
                       << " has no mote.calib range; run --mote-calibrate "
                          "first";
      else
        v.getDefiningOp()->emitError()
            << "mote-quantize: no mote.calib range on this op's result; run "
               "--mote-calibrate first";
      hadError = true;
      return failure();
    }
    auto qtype =
        withElement(v, rules.activationType(fn.getContext(), *r, bits));
    q = QuantizeOp::create(rewriter, v.getLoc(), qtype, v);
  }
  quantCache[v] = q;
  return q;
}

FailureOr<Range> FunctionQuantizer::requireResultRange(Operation *op) {
  if (std::optional<Range> r = resultRange(op))
    return *r;
  return op->emitError("mote-quantize: no mote.calib range on this op's "
                       "result; run --mote-calibrate first");
}

Value FunctionQuantizer::cloneQuantized(Operation *op, ValueRange operands,
                                        Type element) {
  rewriter.setInsertionPoint(op);
  Operation *newOp = rewriter.clone(*op);
  newOp->removeAttr(kCalibAttr);
  for (auto [i, v] : llvm::enumerate(operands))
    newOp->setOperand(i, v);
  newOp->getResult(0).setType(withElement(op->getResult(0), element));
  return newOp->getResult(0);
}

/// Replaces the single result of `op` by its integer form and erases `op`.
void FunctionQuantizer::replace(Operation *op, Value replacement) {
  rewriter.replaceAllUsesWith(op->getResult(0), replacement);
  calibIndex.erase(op);
  if (refinement)
    refinement->teacher.erase(op);
  rewriter.eraseOp(op);
  // The insertion point was next to `op`: nothing may be built there now.
  rewriter.clearInsertionPoint();
  ++summary.integerOps;
}

void FunctionQuantizer::keepInFloat(Operation *op, StringRef why) {
  for (OpOperand &operand : op->getOpOperands())
    operand.set(getFloat(operand.get()));
  std::string name = op->getName().stripDialect().str();
  std::string loc = locationName(op->getLoc());
  if (loc.empty())
    if (auto idx = calibIndex.find(op); idx != calibIndex.end())
      loc = "#" + std::to_string(idx->second);
  summary.keptInFloat.push_back(loc.empty() ? name : name + "@" + loc);
  op->emitRemark() << "kept in float: " << why;
}

/// conv2d / fully_connected / matmul with a constant weight: symmetric
/// narrow-range weights (per channel along `weightAxis`), i32 bias with
/// scale s_x·s_w[o], result requantized to the calibrated (or clamp) range.
LogicalResult FunctionQuantizer::quantizeProduct(Operation *op, Value input,
                                                 Value weight, Value bias,
                                                 int64_t weightAxis) {
  Precision p = precisionOf(op);
  auto weights = constantFloats(weight);
  std::optional<std::vector<float>> biasValues;
  if (bias)
    biasValues = constantFloats(bias);
  if (!weights || (bias && !biasValues)) {
    keepInFloat(op, "weights or bias are not float constants");
    return success();
  }
  // A NaN or infinite weight has no integer value; without this check the
  // max|w| scan skips NaN and the layer silently quantizes to garbage.
  for (auto [what, values] :
       {std::pair{"weight", &*weights},
        std::pair{"bias", biasValues ? &*biasValues : nullptr}})
    for (size_t i = 0; values && i < values->size(); ++i)
      if (!std::isfinite((*values)[i]))
        return op->emitError("mote-quantize: ")
               << what << " element " << i << " is " << (*values)[i]
               << "; a NaN or infinite constant cannot be quantized — fix "
                  "the model's weights";
  FailureOr<Range> outRange = requireResultRange(op);
  if (failed(outRange))
    return failure();
  FailureOr<Value> qin = getQuantized(input, p.actBits);
  if (failed(qin))
    return failure();
  MLIRContext *ctx = fn.getContext();
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t axis = rules.perChannel ? weightAxis : -1;
  SmallVector<double> scales =
      weightScales(*weights, weightType.getShape(), axis, p.weightBits);
  Type f32 = Float32Type::get(ctx);
  int64_t wmax = numerics::storageMax(p.weightBits, true);
  // Teacher-guided refinement: scales, storage values and bias from the
  // float layer's inputs (conv2d and fully_connected, weights on axis 0).
  std::optional<std::vector<int64_t>> refinedStorage;
  if (refinement && weightAxis == 0) {
    auto it = refinement->teacher.find(op);
    if (it != refinement->teacher.end()) {
      refinedStorage.emplace();
      refineWeights(*refinement, it->second, *weights, weightType.getDimSize(0),
                    axis >= 0, wmax, scales, *refinedStorage,
                    biasValues ? &*biasValues : nullptr);
    }
  }
  Type wStorage = IntegerType::get(ctx, p.weightBits);
  Type wElement;
  if (axis >= 0)
    wElement = mlir::quant::UniformQuantizedPerAxisType::get(
        mlir::quant::QuantizationFlags::Signed, wStorage, f32, scales,
        SmallVector<int64_t>(scales.size(), 0), axis, -wmax, wmax);
  else
    wElement = mlir::quant::UniformQuantizedType::get(
        mlir::quant::QuantizationFlags::Signed, wStorage, f32, scales[0], 0,
        -wmax, wmax);
  auto outType = rules.activationType(ctx, *outRange, p.actBits);
  QuantParams in = *getQuantParams(qin->getType());
  for (double s : scales)
    if (!numerics::computeScaleMultiplier(in.scale(0) * s /
                                          outType.getScale())) {
      keepInFloat(op, "its requantization ratio has no 32-bit multiplier");
      return success();
    }

  rewriter.setInsertionPoint(op);
  Value qweight;
  if (refinedStorage) {
    auto qtype = withElement(weight, wElement);
    qweight = ConstantOp::create(rewriter, weight.getLoc(), qtype,
                                 makeIntElements(getStorageTensorType(qtype),
                                                 *refinedStorage, "qweight"));
  } else {
    qweight = makeConstant(weight.getLoc(), withElement(weight, wElement),
                           *weights, "qweight");
  }
  Value qbias;
  if (bias) {
    Type i32 = IntegerType::get(ctx, 32);
    SmallVector<double> biasScales;
    for (double s : scales)
      biasScales.push_back(printedScale(in.scale(0) * s));
    Type bElement;
    if (axis >= 0)
      bElement = mlir::quant::UniformQuantizedPerAxisType::get(
          mlir::quant::QuantizationFlags::Signed, i32, f32, biasScales,
          SmallVector<int64_t>(biasScales.size(), 0), 0, INT32_MIN, INT32_MAX);
    else
      bElement = mlir::quant::UniformQuantizedType::get(
          mlir::quant::QuantizationFlags::Signed, i32, f32, biasScales[0], 0,
          INT32_MIN, INT32_MAX);
    qbias = makeConstant(bias.getLoc(), withElement(bias, bElement),
                         *biasValues, "qbias");
  }
  SmallVector<Value, 3> operands{*qin, qweight};
  if (bias)
    operands.push_back(qbias);
  replace(op, cloneQuantized(op, operands, outType));
  return success();
}

/// Ops whose quantized semantics rescale their inputs to the result: every
/// operand quantized as it is, the result from its calibrated range.
LogicalResult FunctionQuantizer::quantizeRescaling(Operation *op) {
  Precision p = precisionOf(op);
  FailureOr<Range> r = requireResultRange(op);
  if (failed(r))
    return failure();
  SmallVector<Value> operands;
  for (Value v : op->getOperands()) {
    FailureOr<Value> q = getQuantized(v, p.actBits);
    if (failed(q))
      return failure();
    operands.push_back(*q);
  }
  auto outType = rules.activationType(fn.getContext(), *r, p.actBits);
  // The products the interpreter forms must have 32-bit multipliers.
  if (isa<MulOp>(op)) {
    double sa = getQuantParams(operands[0].getType())->scale(0);
    double sb = getQuantParams(operands[1].getType())->scale(0);
    if (!numerics::computeScaleMultiplier(sa * sb / outType.getScale())) {
      keepInFloat(op, "its requantization ratio has no 32-bit multiplier");
      return success();
    }
  }
  // A quantized sum or mean rescales by s_in / (s_out · count).
  if (isa<ReduceSumOp, ReduceMeanOp>(op)) {
    auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
    auto outShape = cast<RankedTensorType>(op->getResult(0).getType());
    double ratio =
        getQuantParams(operands[0].getType())->scale(0) / outType.getScale();
    if (isa<ReduceMeanOp>(op))
      ratio *= static_cast<double>(outShape.getNumElements()) /
               static_cast<double>(inType.getNumElements());
    if (!numerics::computeScaleMultiplier(ratio)) {
      keepInFloat(op, "its rescaling ratio has no 32-bit multiplier");
      return success();
    }
  }
  replace(op, cloneQuantized(op, operands, outType));
  return success();
}

/// Data movement, max pooling and clamp keep the input's type. A clamp
/// whose type cannot represent anything outside [min, max] is dropped.
LogicalResult FunctionQuantizer::quantizeSameType(Operation *op) {
  Precision p = precisionOf(op);
  FailureOr<Value> in = getQuantized(op->getOperand(0), p.actBits);
  if (failed(in))
    return failure();
  Type element = cast<RankedTensorType>(in->getType()).getElementType();
  if (auto clamp = dyn_cast<ClampOp>(op)) {
    QuantParams q = *getQuantParams(in->getType());
    double lo = numerics::dequantize(q.storageMin, q.scale(0), q.zeroPoint(0));
    double hi = numerics::dequantize(q.storageMax, q.scale(0), q.zeroPoint(0));
    if (lo >= clamp.getMin().convertToFloat() &&
        hi <= clamp.getMax().convertToFloat()) {
      replace(op, *in);
      return success();
    }
  }
  replace(op, cloneQuantized(op, *in, element));
  return success();
}

/// Elementwise nonlinearities: quantize(f(dequantize(q))) as a table of
/// 2^b entries built from the interpreter's own real functions.
LogicalResult FunctionQuantizer::quantizeNonlinear(Operation *op) {
  Precision p = precisionOf(op);
  FailureOr<Range> r = requireResultRange(op);
  if (failed(r))
    return failure();
  FailureOr<Value> in = getQuantized(op->getOperand(0), p.actBits);
  if (failed(in))
    return failure();
  auto outType = rules.activationType(fn.getContext(), *r, p.actBits);
  auto resultType = withElement(op->getResult(0), outType);
  rewriter.setInsertionPoint(op);
  QuantParams qi = *getQuantParams(in->getType());
  if (!useLut || qi.storageBits > 8) {
    replace(op, cloneQuantized(op, *in, outType));
    return success();
  }
  // The interpreter's own function of the op, so that table and quantized
  // op agree bit for bit.
  std::function<double(double)> f = interp::getUnaryFunction(op);
  QuantParams qo = *getQuantParams(resultType);
  int64_t entries = int64_t(1) << qi.storageBits;
  std::vector<int64_t> table;
  table.reserve(entries);
  for (int64_t i = 0; i < entries; ++i) {
    double x =
        numerics::dequantize(i + qi.storageMin, qi.scale(0), qi.zeroPoint(0));
    table.push_back(numerics::quantize(f(x), qo.scale(0), qo.zeroPoint(0),
                                       qo.storageMin, qo.storageMax));
  }
  auto tableType =
      RankedTensorType::get({entries}, getStorageElementType(outType));
  ElementsAttr tableAttr = makeIntElements(tableType, table, "lut");
  Value lut = LutOp::create(rewriter, op->getLoc(), resultType, *in, tableAttr);
  replace(op, lut);
  return success();
}

LogicalResult FunctionQuantizer::quantizeOp(Operation *op) {
  if (notOnFloats.contains(op)) {
    keepInFloat(op, "it is not an op on f32 tensors");
    return success();
  }
  auto quantizable = dyn_cast<QuantizableOpInterface>(op);
  if (!quantizable) {
    keepInFloat(op, isa<SoftmaxOp>(op) ? "softmax has no integer form (host op)"
                                       : "it has no integer form");
    return success();
  }
  LLVM_DEBUG({
    static const char *const kinds[] = {"product", "rescale", "same-type",
                                        "table"};
    Precision p = precisionOf(op);
    llvm::dbgs() << "mote-quantize: " << op->getName() << " '"
                 << locationName(op->getLoc()) << "': "
                 << kinds[int(quantizable.getQuantizationKind())] << ", w"
                 << p.weightBits << "a" << p.actBits << "\n";
  });
  switch (quantizable.getQuantizationKind()) {
  case QuantizationKind::Product: {
    ProductOperands p = quantizable.getProductOperands();
    return quantizeProduct(op, p.input, p.weight, p.bias, p.weightAxis);
  }
  case QuantizationKind::Rescale:
    return quantizeRescaling(op);
  case QuantizationKind::SameType:
    return quantizeSameType(op);
  case QuantizationKind::Table:
    if (interp::getUnaryFunction(op))
      return quantizeNonlinear(op);
    keepInFloat(op, "the interpreter has no real function for it");
    return success();
  }
  llvm_unreachable("unknown QuantizationKind");
}

LogicalResult FunctionQuantizer::run() {
  if (fn.isExternal())
    return success();
  Block &body = fn.getBody().front();
  // Replacing an op erases it, so the walk goes over a copy of the list;
  // constants are skipped (their users decide) and never erased before the
  // end, when those left without users go.
  SmallVector<Operation *> ops, constants;
  unsigned index = 0;
  for (Operation &op : body) {
    (isa<ConstantOp>(op) ? constants : ops).push_back(&op);
    if (op.hasAttr(kCalibAttr))
      calibIndex[&op] = index++;
    // Decided before any rewrite: operands turn quantized as their
    // producers are replaced.
    auto isFloatTensor = [](Type t) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      return tensor && tensor.getElementType().isF32();
    };
    if (!llvm::all_of(op.getOperandTypes(), isFloatTensor) ||
        !llvm::all_of(op.getResultTypes(), isFloatTensor))
      notOnFloats.insert(&op);
  }
  for (Operation *op : ops) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (OpOperand &operand : ret->getOpOperands())
        operand.set(getFloat(operand.get()));
      continue;
    }
    if (failed(quantizeOp(op)) || hadError)
      return failure();
  }
  for (Operation *op : llvm::reverse(constants))
    if (op->use_empty())
      rewriter.eraseOp(op);
  return success();
}

} // namespace

LogicalResult mote::quant::quantizeFunction(func::FuncOp fn, const Rules &rules,
                                            const PrecisionPlan &plan,
                                            Precision defaults, bool useLut,
                                            Refinement *refinement,
                                            QuantizeSummary &summary) {
  return FunctionQuantizer(fn, rules, plan, defaults, useLut, refinement,
                           summary)
      .run();
}
