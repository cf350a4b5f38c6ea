//===- ElementwisePatterns.cpp - Elementwise TOSA ops ---------------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Float elementwise ops map one to one. Integer TOSA add/sub/maximum/
// minimum combine raw integers (TOSA rescales both inputs to a common
// scale first), which mote expresses exactly only when both operands carry
// the same scale: then mote's add rescale (numerics::computeAddRescale) is
// an exact shift. Operands whose assigned scales differ by float noise are
// snapped to one scale when the producing requant still recomputes the
// same multiplier. Integer mul with shift k is the product at scale
// s_a·s_b·2^k. Integer clamp bounds become real values through the
// tensor's type. tosa.table becomes mote.lut.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

/// Re-types `value`, the result of a single-use mote.requant, to scale
/// `scale` if mote then recomputes the same multiplier.
static bool snapRequantScale(Value value, double scale) {
  auto requant = value.getDefiningOp<RequantOp>();
  if (!requant || !value.hasOneUse())
    return false;
  auto in = getQuantParams(requant.getInput().getType());
  auto out = getQuantParams(value.getType());
  if (!in || !out || out->isPerAxis())
    return false;
  for (size_t c = 0; c < in->scales.size(); ++c) {
    auto old = numerics::computeScaleMultiplier(in->scales[c] / out->scales[0]);
    if (!old || !reproducesMultiplier(in->scales[c] / scale, *old))
      return false;
  }
  auto type = cast<RankedTensorType>(value.getType());
  value.setType(type.clone(makeQuantType(
      value.getContext(), out->storageBits, out->isSigned, scale,
      out->zeroPoints[0])));
  return true;
}

/// Re-types the graph input that a single-use requant producing `value`
/// reads, so that the requant's result gets scale `scale` with the same
/// multiplier. Plain-integer graph inputs have no scale of their own (they
/// were given 1.0), so this choice is free when nothing else reads them.
static bool snapInputScale(Value value, double scale) {
  auto requant = value.getDefiningOp<RequantOp>();
  if (!requant || !value.hasOneUse())
    return false;
  auto arg = dyn_cast<BlockArgument>(requant.getInput());
  if (!arg || !arg.hasOneUse())
    return false;
  auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
  if (!func || !func.getArgAttr(arg.getArgNumber(), "mote.tosa_type"))
    return false;
  auto in = getQuantParams(arg.getType());
  auto out = getQuantParams(value.getType());
  if (!in || !out || in->isPerAxis() || out->isPerAxis())
    return false;
  auto m = numerics::computeScaleMultiplier(in->scales[0] / out->scales[0]);
  if (!m)
    return false;
  double newIn = scale * numerics::scaleMultiplierValue(*m);
  if (!reproducesMultiplier(newIn / scale, *m))
    return false;
  auto argType = cast<RankedTensorType>(arg.getType());
  arg.setType(argType.clone(makeQuantType(arg.getContext(), in->storageBits,
                                          in->isSigned, newIn,
                                          in->zeroPoints[0])));
  auto type = cast<RankedTensorType>(value.getType());
  value.setType(type.clone(makeQuantType(value.getContext(), out->storageBits,
                                         out->isSigned, scale,
                                         out->zeroPoints[0])));
  return true;
}

/// The result element type of an integer add-like op on operands of
/// common scale `scale`, with the TOSA result's storage.
static Type integerResultElement(RankedTensorType tosaType, double scale,
                                 int64_t zeroPoint) {
  unsigned bits = 32;
  bool isSigned = true;
  if (auto params = getQuantParams(tosaType)) {
    bits = params->storageBits;
    isSigned = params->isSigned;
  } else if (auto intType = dyn_cast<IntegerType>(tosaType.getElementType())) {
    bits = intType.getWidth();
  }
  return makeQuantType(tosaType.getContext(), bits, isSigned, scale, zeroPoint);
}

template <typename TosaOp, typename MoteOp>
struct BinaryPattern : TosaPattern<TosaOp> {
  using TosaPattern<TosaOp>::TosaPattern;

  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    if (!isConverted(lhs) || !isConverted(rhs))
      return failure();
    auto outType = getTensorType(op->getResult(0));
    if (!outType || !outType.hasStaticShape())
      return this->fail(op, "result must have a static shape");
    constexpr bool isMul = std::is_same_v<TosaOp, tosa::MulOp>;
    int64_t shift = 0;
    if constexpr (isMul) {
      auto shiftValues = getConstInts(op.getShift());
      if (!shiftValues || shiftValues->size() != 1)
        return this->fail(op, "shift must be a constant");
      shift = shiftValues->front();
    }
    if (isF32Tensor(outType)) {
      if (shift != 0)
        return this->fail(op, "float mul must have shift 0");
      rewriter.replaceOpWithNewOp<MoteOp>(op, outType, lhs, rhs);
      return success();
    }
    auto pl = getQuantParams(lhs.getType()), pr = getQuantParams(rhs.getType());
    if (!pl || !pr || pl->isPerAxis() || pr->isPerAxis())
      return this->fail(op, "integer operands must be quantized per tensor");
    if (pl->zeroPoints[0] != 0 || pr->zeroPoints[0] != 0)
      return this->fail(op, "integer operands must have zero point 0 (TOSA "
                            "computes on raw integers; rescale them to i32 "
                            "first)");
    double scale;
    if constexpr (isMul) {
      scale = std::ldexp(pl->scales[0] * pr->scales[0], static_cast<int>(shift));
    } else {
      scale = pl->scales[0];
      if (pr->scales[0] != scale && !snapRequantScale(rhs, scale) &&
          !snapInputScale(rhs, scale)) {
        if (!snapRequantScale(lhs, pr->scales[0]) &&
            !snapInputScale(lhs, pr->scales[0]))
          return this->fail(
              op, "operands have different scales (" + formatScale(pl->scales[0]) +
                      " and " + formatScale(pr->scales[0]) +
                      "); TOSA combines raw integers, which mote expresses "
                      "exactly only at one common scale");
        scale = pr->scales[0];
      }
    }
    Type element = integerResultElement(outType, scale, 0);
    rewriter.replaceOpWithNewOp<MoteOp>(op, outType.clone(element), lhs, rhs);
    return success();
  }
};

struct ClampPattern : TosaPattern<tosa::ClampOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::ClampOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput();
    if (!isConverted(input))
      return failure();
    auto type = getTensorType(input);
    if (isF32Tensor(type)) {
      auto lo = dyn_cast<FloatAttr>(op.getMinValAttr());
      auto hi = dyn_cast<FloatAttr>(op.getMaxValAttr());
      if (!lo || !hi)
        return fail(op, "float clamp needs float bounds");
      rewriter.replaceOpWithNewOp<ClampOp>(
          op, type, input,
          rewriter.getF32FloatAttr(
              static_cast<float>(lo.getValueAsDouble())),
          rewriter.getF32FloatAttr(
              static_cast<float>(hi.getValueAsDouble())));
      return success();
    }
    auto params = getQuantParams(type);
    auto lo = dyn_cast<IntegerAttr>(op.getMinValAttr());
    auto hi = dyn_cast<IntegerAttr>(op.getMaxValAttr());
    if (!params || params->isPerAxis() || !lo || !hi)
      return fail(op, "integer clamp needs a per-tensor input and integer "
                      "bounds");
    // Bounds outside the storage range saturate; map the rest to real
    // values and check that mote maps them back to the same integers.
    auto toReal = [&](int64_t q, float &real) {
      q = numerics::saturate(q, params->storageMin, params->storageMax);
      real = static_cast<float>(
          numerics::dequantize(q, params->scales[0], params->zeroPoints[0]));
      return numerics::quantize(real, params->scales[0], params->zeroPoints[0],
                                params->storageMin, params->storageMax) == q;
    };
    float realLo, realHi;
    bool unsignedStorage = !params->isSigned;
    int64_t qlo = unsignedStorage ? static_cast<int64_t>(lo.getValue().getZExtValue())
                                  : lo.getValue().getSExtValue();
    int64_t qhi = unsignedStorage ? static_cast<int64_t>(hi.getValue().getZExtValue())
                                  : hi.getValue().getSExtValue();
    if (!toReal(qlo, realLo) || !toReal(qhi, realHi))
      return fail(op, "clamp bounds do not map exactly to real values");
    rewriter.replaceOpWithNewOp<ClampOp>(op, type, input,
                                         rewriter.getF32FloatAttr(realLo),
                                         rewriter.getF32FloatAttr(realHi));
    return success();
  }
};

template <typename TosaOp, typename MoteOp>
struct FloatUnaryPattern : TosaPattern<TosaOp> {
  using TosaPattern<TosaOp>::TosaPattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op->getOperand(0);
    if (!isConverted(input))
      return failure();
    if (!isF32Tensor(input.getType()))
      return this->fail(op, "integer form is not supported; TOSA expresses "
                            "integer nonlinearities with tosa.table");
    rewriter.replaceOpWithNewOp<MoteOp>(op, input.getType(), input);
    return success();
  }
};

/// Float negate is a multiplication by −1, reciprocal a division of 1.
template <typename TosaOp>
struct FloatArithmeticUnaryPattern : TosaPattern<TosaOp> {
  using TosaPattern<TosaOp>::TosaPattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op->getOperand(0);
    if (!isConverted(input))
      return failure();
    auto type = getTensorType(input);
    if (!isF32Tensor(type))
      return this->fail(op, "only the float form is supported");
    auto scalarType = RankedTensorType::get(
        SmallVector<int64_t>(type.getRank(), 1), rewriter.getF32Type());
    constexpr bool isNegate = std::is_same_v<TosaOp, tosa::NegateOp>;
    if constexpr (isNegate) {
      auto zp = getZeroPoint(op.getInput1Zp());
      auto outZp = getZeroPoint(op.getOutputZp());
      if (!zp || *zp != 0 || !outZp || *outZp != 0)
        return this->fail(op, "float zero points must be 0");
    }
    float constant = isNegate ? -1.0f : 1.0f;
    Value c = ConstantOp::create(
        rewriter, op.getLoc(), scalarType,
        makeFloatElements(scalarType, {constant}, "scalar"));
    if constexpr (isNegate)
      rewriter.replaceOpWithNewOp<MulOp>(op, type, input, c);
    else
      rewriter.replaceOpWithNewOp<DivOp>(op, type, c, input);
    return success();
  }
};

struct TablePattern : TosaPattern<tosa::TableOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::TableOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput1();
    if (!isConverted(input))
      return failure();
    auto in = getQuantParams(input.getType());
    if (!in || in->isPerAxis() || in->storageBits != 8)
      return fail(op, "only 8-bit tables (256 entries) are supported; "
                      "int16 tables interpolate, which mote.lut does not");
    auto table = getConstInts(op.getTable());
    if (!table || table->size() != 256)
      return fail(op, "table must be a constant of 256 entries");
    auto outType = getTensorType(op.getResult());
    auto declared = getQuantParams(outType);
    Type element = declared && !declared->isPerAxis()
                       ? outType.getElementType()
                       : Type(makeQuantType(getContext(), 8, true, 1.0, 0));
    if (!declared && !outType.getElementType().isInteger(8))
      return fail(op, "result must be i8");
    // TOSA indexes by value + 128; mote by storage − storage_min: the same
    // entry for signed i8. Unsigned inputs start at 0 instead.
    std::vector<int64_t> entries = *table;
    if (!in->isSigned)
      std::rotate(entries.begin(), entries.begin() + 128, entries.end());
    auto tableType =
        RankedTensorType::get({256}, getStorageElementType(element));
    auto tableAttr = makeIntElements(tableType, entries, "table");
    rewriter.replaceOpWithNewOp<LutOp>(op, outType.clone(element), input,
                                       tableAttr);
    return success();
  }
};

struct CastPattern : TosaPattern<tosa::CastOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::CastOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput();
    if (!isConverted(input))
      return failure();
    auto outType = getTensorType(op.getResult());
    if (isF32Tensor(input.getType()) && isF32Tensor(outType)) {
      rewriter.replaceOp(op, input);
      return success();
    }
    // An integer → f32 cast yields the raw integer, which is what
    // dequantize yields when the (assigned) scale is 1 and the zero point 0.
    auto in = getQuantParams(input.getType());
    if (in && !in->isPerAxis() && isF32Tensor(outType) &&
        in->scales[0] == 1.0 && in->zeroPoints[0] == 0) {
      rewriter.replaceOpWithNewOp<DequantizeOp>(op, outType, input);
      return success();
    }
    if (in && isF32Tensor(outType))
      return fail(op, "integer → float cast of a tensor with scale " +
                          formatScale(in->scales[0]) + " and zero point " +
                          Twine(in->zeroPoints[0]) +
                          " has no exact mote form (only scale 1, zero "
                          "point 0 casts are dequantizations)");
    // Keep the more precise reason of the float-quantization matcher.
    if (state.reasons.count(op))
      return failure();
    return fail(op, "float → integer casts are only supported as a "
                    "quantization cast(clamp(x · (1/s) + zp))");
  }
};

struct IdentityPattern : TosaPattern<tosa::IdentityOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::IdentityOp op,
                                PatternRewriter &rewriter) const override {
    if (!isConverted(op.getInput1()))
      return failure();
    rewriter.replaceOp(op, op.getInput1());
    return success();
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns,
                                 ConversionState &state) {
  MLIRContext *context = patterns.getContext();
  patterns.add<BinaryPattern<tosa::AddOp, AddOp>,
               BinaryPattern<tosa::SubOp, SubOp>,
               BinaryPattern<tosa::MulOp, MulOp>,
               BinaryPattern<tosa::MaximumOp, MaximumOp>,
               BinaryPattern<tosa::MinimumOp, MinimumOp>, ClampPattern,
               FloatUnaryPattern<tosa::SigmoidOp, SigmoidOp>,
               FloatUnaryPattern<tosa::TanhOp, TanhOp>,
               FloatUnaryPattern<tosa::ExpOp, ExpOp>,
               FloatArithmeticUnaryPattern<tosa::NegateOp>,
               FloatArithmeticUnaryPattern<tosa::ReciprocalOp>, TablePattern,
               CastPattern, IdentityPattern>(context, state);
}

} // namespace mote::tosa_to_mote
