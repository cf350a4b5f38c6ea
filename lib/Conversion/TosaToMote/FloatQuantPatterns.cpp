//===- FloatQuantPatterns.cpp - torch-mlir's float (de)quantization -------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// torch-mlir lowers aten.dequantize / aten.quantize_per_tensor to float
// arithmetic instead of tosa.rescale:
//
//   dequantize: cast(q → f32) [− zp] · s   or   cast(cast(q → i32) − zp) · s
//   quantize:   cast_f32→int([clamp]([+ zp](x · c | x / s))) [+ zp (integer)]
//
// These patterns recognise the chains and emit mote.dequantize /
// mote.quantize with the scale in the type, so that the quantization
// parameters are visible to the rest of the compiler. A dequantization is
// exact (the f32 product of an exact integer and an f32 scale is what
// mote.dequantize computes). A quantization by x · c is taken to be
// x / (1/c): equal except possibly on rounding ties (docs/TOSA.md).
//
// The patterns run on whichever half of the chain is already converted:
// the float ops of a quantize chain (mul, add, clamp) are converted by the
// ordinary elementwise patterns before the final cast's operand is a mote
// value, so the quantize matcher reads mote ops; the integer half of a
// dequantize chain (casts of raw integers, integer sub of the zero point)
// has no mote form on its own, so that matcher reads TOSA ops.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

/// Reads a splat f32 constant (tosa.const or mote.constant).
static std::optional<float> getSplatFloat(Value value) {
  auto values = getConstFloats(value);
  if (!values || values->empty())
    return std::nullopt;
  float first = values->front();
  if (!llvm::all_of(*values, [&](float v) { return v == first; }))
    return std::nullopt;
  return first;
}

/// Reads a splat integer constant.
static std::optional<int64_t> getSplatInt(Value value) {
  auto values = getConstInts(value);
  if (!values || values->empty())
    return std::nullopt;
  int64_t first = values->front();
  if (!llvm::all_of(*values, [&](int64_t v) { return v == first; }))
    return std::nullopt;
  return first;
}

/// Reads an integral splat float constant as an integer (a float zero point).
static std::optional<int64_t> getIntegralSplatFloat(Value value) {
  auto f = getSplatFloat(value);
  if (!f || std::trunc(*f) != *f || std::fabs(*f) > 65536.0f)
    return std::nullopt;
  return static_cast<int64_t>(*f);
}

/// True if `value` is the integer source of a dequantize chain whose type
/// can still be chosen: a plain-integer TOSA constant, or a plain-integer
/// graph input (given scale 1, zero point 0) with no other use.
static bool hasFreeScale(Value value) {
  if (auto c = value.getDefiningOp<tosa::ConstOp>())
    return isa<IntegerType>(getTensorType(value).getElementType());
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || !arg.hasOneUse())
    return false;
  auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
  auto params = getQuantParams(arg.getType());
  return func && func.getArgAttr(arg.getArgNumber(), "mote.tosa_type") &&
         params && !params->isPerAxis() && params->scales[0] == 1.0 &&
         params->zeroPoints[0] == 0;
}

/// The raw integer source and zero point of `cast(q → f32) [− zp]` or
/// `cast(cast(q → i32) − zp → f32)` (TOSA or already-converted mote ops).
struct DequantChain {
  Value source;
  int64_t zeroPoint = 0;
  /// Every intermediate value has one use (the source may be re-typed).
  bool singleUse = true;
};

static std::optional<DequantChain> matchDequantChain(Value value) {
  DequantChain chain;
  auto note = [&](Value v) { chain.singleUse &= v.hasOneUse(); };
  note(value);
  // Float subtraction of the zero point.
  if (auto sub = value.getDefiningOp<tosa::SubOp>()) {
    auto zp = getIntegralSplatFloat(sub.getInput2());
    if (!zp || !isF32Tensor(value.getType()))
      return std::nullopt;
    chain.zeroPoint = *zp;
    value = sub.getInput1();
    note(value);
  } else if (auto sub = value.getDefiningOp<SubOp>()) {
    auto zp = getIntegralSplatFloat(sub.getRhs());
    if (!zp)
      return std::nullopt;
    chain.zeroPoint = *zp;
    value = sub.getLhs();
    note(value);
  }
  // The cast to f32 (still TOSA, or converted to a scale-1 dequantize).
  Value integer;
  if (auto dq = value.getDefiningOp<DequantizeOp>()) {
    integer = dq.getInput();
  } else if (auto cast = value.getDefiningOp<tosa::CastOp>()) {
    if (!isF32Tensor(value.getType()))
      return std::nullopt;
    integer = cast.getInput();
  } else {
    return std::nullopt;
  }
  // Integer subtraction of the zero point after widening to i32.
  if (auto sub = integer.getDefiningOp<tosa::SubOp>()) {
    if (chain.zeroPoint != 0)
      return std::nullopt;
    auto zp = getSplatInt(sub.getInput2());
    if (!zp)
      return std::nullopt;
    chain.zeroPoint = *zp;
    note(integer);
    integer = sub.getInput1();
    if (auto widen = integer.getDefiningOp<tosa::CastOp>()) {
      note(integer);
      integer = widen.getInput();
    }
  }
  auto type = getTensorType(integer);
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  if (!isConverted(integer) && !integer.getDefiningOp<tosa::ConstOp>())
    return std::nullopt;
  chain.source = integer;
  return chain;
}

/// mul(dequantize chain, scale) → mote.dequantize on the source re-typed
/// to (scale, zp).
struct DequantizeMulPattern : TosaPattern<tosa::MulOp> {
  DequantizeMulPattern(MLIRContext *context, ConversionState &state)
      : TosaPattern(context, state, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(tosa::MulOp op,
                                PatternRewriter &rewriter) const override {
    auto outType = getTensorType(op.getResult());
    if (!isF32Tensor(outType) || !outType.hasStaticShape())
      return failure();
    auto shift = getConstInts(op.getShift());
    if (!shift || shift->size() != 1 || shift->front() != 0)
      return failure();
    std::optional<DequantChain> chain;
    std::optional<float> scale;
    for (auto [a, b] : {std::pair(op.getInput1(), op.getInput2()),
                        std::pair(op.getInput2(), op.getInput1())}) {
      if ((scale = getSplatFloat(b)) && (chain = matchDequantChain(a)))
        break;
    }
    if (!chain || !scale)
      return failure();
    if (!(*scale > 0.0f) || !std::isfinite(*scale))
      return fail(op, "dequantization scale must be positive and finite");
    Value source = chain->source;
    auto sourceType = getTensorType(source);
    if (sourceType.getShape() != outType.getShape())
      return fail(op, "the dequantized tensor must not be broadcast");
    unsigned bits;
    bool isSigned = true;
    // A graph input's TOSA type says whether its storage is unsigned.
    Type storage = sourceType.getElementType();
    if (auto arg = dyn_cast<BlockArgument>(source))
      if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
        if (auto tosaType = func.getArgAttrOfType<TypeAttr>(
                arg.getArgNumber(), "mote.tosa_type"))
          if (auto t = dyn_cast<RankedTensorType>(tosaType.getValue()))
            storage = t.getElementType();
    if (auto intType = dyn_cast<IntegerType>(storage)) {
      bits = intType.getWidth();
      isSigned = !intType.isUnsigned();
    } else if (auto params = getQuantParams(sourceType)) {
      bits = params->storageBits;
      isSigned = params->isSigned;
    } else {
      return failure();
    }
    int64_t zpMin = isSigned ? -(int64_t(1) << (bits - 1)) : 0;
    int64_t zpMax = isSigned ? (int64_t(1) << (bits - 1)) - 1
                             : (int64_t(1) << bits) - 1;
    if (chain->zeroPoint < zpMin || chain->zeroPoint > zpMax)
      return fail(op, "zero point " + Twine(chain->zeroPoint) +
                          " is outside the storage range of the dequantized "
                          "tensor");
    Type element = makeQuantType(getContext(), bits, isSigned, *scale,
                                 chain->zeroPoint);
    auto existing = getQuantParams(sourceType);
    if (existing && !existing->isPerAxis() &&
        existing->scales[0] == static_cast<double>(*scale) &&
        existing->zeroPoints[0] == chain->zeroPoint) {
      // Already quantized with these parameters (a quantize chain feeding
      // a dequantize chain: torch's fake-quant QDQ).
    } else if (!chain->singleUse || !hasFreeScale(source)) {
      if (existing && existing->scales[0] == 1.0 &&
          existing->zeroPoints[0] == 0 && chain->zeroPoint == 0)
        return failure(); // The plain float conversion is exact.
      return fail(op, "dequantizes a tensor that already has scale " +
                          formatScale(existing ? existing->scales[0] : 1.0) +
                          " and zero point " +
                          Twine(existing ? existing->zeroPoints[0] : 0) +
                          " with scale " + formatScale(*scale) +
                          " and zero point " + Twine(chain->zeroPoint) +
                          "; mote can only re-type a graph input or a "
                          "constant used by nothing else");
    } else if (auto c = source.getDefiningOp<tosa::ConstOp>()) {
      rewriter.setInsertionPoint(op);
      source = ConstantOp::create(rewriter, c.getLoc(),
                                  sourceType.clone(element), c.getValues());
    } else {
      source.setType(sourceType.clone(element));
    }
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, outType, source);
    return success();
  }
};

/// Storage range of `bits`-bit integers.
static std::pair<int64_t, int64_t> storageRange(unsigned bits, bool isSigned) {
  if (isSigned)
    return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
  return {0, (int64_t(1) << bits) - 1};
}

/// cast_f32→int([clamp]([+ zp](x · c | x / s))) → mote.quantize
/// [+ mote.clamp for a clamp narrower than the storage range].
struct QuantizeCastPattern : TosaPattern<tosa::CastOp> {
  QuantizeCastPattern(MLIRContext *context, ConversionState &state)
      : TosaPattern(context, state, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(tosa::CastOp op,
                                PatternRewriter &rewriter) const override {
    Value value = op.getInput();
    auto outType = getTensorType(op.getResult());
    if (!isConverted(value) || !isF32Tensor(value.getType()) || !outType)
      return failure();
    auto intType = dyn_cast<IntegerType>(outType.getElementType());
    if (!intType || (intType.getWidth() != 8 && intType.getWidth() != 16 &&
                     intType.getWidth() != 32))
      return fail(op, "float → integer cast must produce i8, i16 or i32");
    bool isSigned = !intType.isUnsigned();
    auto [qmin, qmax] = storageRange(intType.getWidth(), isSigned);

    // Optional clamp to the integer range (TOSA's cast saturates anyway).
    std::optional<std::pair<double, double>> clampBounds;
    if (auto clamp = value.getDefiningOp<ClampOp>()) {
      if (!clamp->hasOneUse())
        return fail(op, "the clamp before the cast has other users");
      clampBounds = {clamp.getMin().convertToDouble(),
                     clamp.getMax().convertToDouble()};
      value = clamp.getInput();
    }
    int64_t zeroPoint = 0;
    if (auto add = value.getDefiningOp<AddOp>()) {
      std::optional<int64_t> zp = getIntegralSplatFloat(add.getRhs());
      Value other = add.getLhs();
      if (!zp) {
        zp = getIntegralSplatFloat(add.getLhs());
        other = add.getRhs();
      }
      if (!zp)
        return fail(op, "the value added before the cast is not an integral "
                        "constant zero point (a rounding offset such as "
                        "+0.5 rounds differently from mote's round half to "
                        "even)");
      if (!add->hasOneUse())
        return fail(op, "the zero-point add before the cast has other users");
      zeroPoint = *zp;
      value = other;
    }
    double scale;
    Value input;
    if (auto mul = value.getDefiningOp<MulOp>()) {
      std::optional<float> c = getSplatFloat(mul.getRhs());
      input = mul.getLhs();
      if (!c) {
        c = getSplatFloat(mul.getLhs());
        input = mul.getRhs();
      }
      if (!c || !(*c > 0.0f) || !std::isfinite(*c))
        return fail(op, "the value cast to an integer is not x · c with a "
                        "positive constant c (1/scale); mote cannot tell "
                        "which quantization it is");
      if (!mul->hasOneUse())
        return fail(op, "the scaling mul before the cast has other users");
      // The f32 nearest to 1/c: torch-mlir multiplies by fl(1/s).
      scale = static_cast<float>(1.0 / static_cast<double>(*c));
    } else if (auto div = value.getDefiningOp<DivOp>()) {
      std::optional<float> s = getSplatFloat(div.getRhs());
      if (!s || !(*s > 0.0f) || !std::isfinite(*s))
        return fail(op, "the value cast to an integer is not x / s with a "
                        "positive constant s");
      if (!div->hasOneUse())
        return fail(op, "the scaling div before the cast has other users");
      scale = *s;
      input = div.getLhs();
    } else {
      return fail(op, "the value cast to an integer is not scaled by a "
                      "constant (expected cast(clamp(x · (1/s) + zp)))");
    }
    if (!isF32Tensor(input.getType()))
      return fail(op, "quantized input must be f32");

    // Clamp bounds are in the quantized (storage) domain.
    int64_t lo = qmin, hi = qmax;
    if (clampBounds) {
      auto [clo, chi] = *clampBounds;
      if (!std::isinf(clo) && std::trunc(clo) != clo)
        return fail(op, "clamp bounds before the cast must be integers");
      if (!std::isinf(chi) && std::trunc(chi) != chi)
        return fail(op, "clamp bounds before the cast must be integers");
      if (!std::isinf(clo) && clo > qmin)
        lo = static_cast<int64_t>(clo);
      if (!std::isinf(chi) && chi < qmax)
        hi = static_cast<int64_t>(chi);
      if (lo > hi)
        return fail(op, "clamp range is empty");
    }
    if (zeroPoint < qmin || zeroPoint > qmax)
      return fail(op, "zero point " + Twine(zeroPoint) +
                          " is outside the storage range");
    auto element =
        makeQuantType(getContext(), intType.getWidth(), isSigned, scale,
                      zeroPoint);
    Value result = QuantizeOp::create(rewriter, op.getLoc(),
                                      outType.clone(element), input);
    if (lo != qmin || hi != qmax) {
      float realLo = static_cast<float>(numerics::dequantize(lo, scale, zeroPoint));
      float realHi = static_cast<float>(numerics::dequantize(hi, scale, zeroPoint));
      if (numerics::quantize(realLo, scale, zeroPoint, qmin, qmax) != lo ||
          numerics::quantize(realHi, scale, zeroPoint, qmin, qmax) != hi)
        return fail(op, "clamp bounds do not map exactly to real values");
      result = ClampOp::create(rewriter, op.getLoc(), result.getType(), result,
                               rewriter.getF32FloatAttr(realLo),
                               rewriter.getF32FloatAttr(realHi));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// torch-mlir adds the zero point after the cast, in integers:
/// add(quantize(x) with zp 0, zp) is quantize(x) with that zero point.
/// (TOSA's integer add would wrap where mote saturates; such inputs are
/// out of range for torch's quantize_per_tensor too.)
struct QuantizeZeroPointAddPattern : TosaPattern<tosa::AddOp> {
  QuantizeZeroPointAddPattern(MLIRContext *context, ConversionState &state)
      : TosaPattern(context, state, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(tosa::AddOp op,
                                PatternRewriter &rewriter) const override {
    auto quantize = op.getInput1().getDefiningOp<QuantizeOp>();
    if (!quantize || !quantize->hasOneUse())
      return failure();
    auto zp = getSplatInt(op.getInput2());
    auto params = getQuantParams(quantize.getType());
    auto outType = getTensorType(op.getResult());
    if (!zp || !params || params->isPerAxis() || params->zeroPoints[0] != 0 ||
        !outType || outType.getShape() != quantize.getType().getShape())
      return failure();
    if (*zp < params->storageMin || *zp > params->storageMax)
      return fail(op, "zero point " + Twine(*zp) +
                          " is outside the storage range");
    auto element = makeQuantType(getContext(), params->storageBits,
                                 params->isSigned, params->scales[0], *zp);
    rewriter.setInsertionPoint(quantize);
    Value result = QuantizeOp::create(rewriter, quantize.getLoc(),
                                      quantize.getType().clone(element),
                                      quantize.getInput());
    rewriter.replaceOp(op, result);
    rewriter.eraseOp(quantize);
    return success();
  }
};

/// Rounding by floor/ceil only appears in float requantization chains that
/// mote does not recognise; name the reason.
template <typename OpTy>
struct FloatRoundingPattern : TosaPattern<OpTy> {
  using TosaPattern<OpTy>::TosaPattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &) const override {
    if (!isConverted(op->getOperand(0)))
      return failure();
    return this->fail(
        op, "float rounding is only recognised as part of a quantization "
            "cast(clamp(x · (1/s) + zp)) whose cast rounds half to even; "
            "explicit floor/ceil rounding (e.g. floor(x + 0.5), half up) "
            "is not mote's rounding");
  }
};

} // namespace

void populateFloatQuantPatterns(RewritePatternSet &patterns,
                                ConversionState &state) {
  patterns.add<DequantizeMulPattern, QuantizeCastPattern,
               QuantizeZeroPointAddPattern,
               FloatRoundingPattern<tosa::FloorOp>,
               FloatRoundingPattern<tosa::CeilOp>>(patterns.getContext(),
                                                   state);
}

} // namespace mote::tosa_to_mote
