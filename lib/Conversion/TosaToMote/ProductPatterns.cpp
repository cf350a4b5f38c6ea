//===- ProductPatterns.cpp - conv2d, depthwise_conv2d, matmul -------------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// TOSA's conv2d already uses mote's layouts (NHWC, OHWI, pad [t, b, l, r]).
// depthwise_conv2d's [KH, KW, C, M] filter becomes an OHWI [C·M, KH, KW, 1]
// filter with groups = C (output channel c·M + m in both). Integer products
// produce a 32-bit accumulator typed `s_x·s_w[o]`; plain-integer weights get
// scale 1.0, or, when a per-channel tosa.rescale consumes the accumulator,
// the ratios m_o / m_0 of its multipliers, so that the rescale's output can
// have one per-tensor scale (see docs/TOSA.md).
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

#include <cmath>

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

/// A constant weight as storage values in mote's layout, plus where its
/// scales come from.
struct WeightData {
  std::vector<int64_t> values;
  SmallVector<int64_t> shape;
  unsigned bits = 8;
  bool isSigned = true;
  /// Scales per output channel read from a quantized type (empty: assign).
  SmallVector<double> typeScales;
  std::optional<int64_t> typeZeroPoint;
};

/// Reads a plain or quantized integer weight constant.
static std::optional<WeightData> readWeight(Value weight) {
  auto type = getTensorType(weight);
  if (!type || !isConstant(weight))
    return std::nullopt;
  WeightData data;
  data.shape.assign(type.getShape().begin(), type.getShape().end());
  Type element = type.getElementType();
  if (auto params = getQuantParams(type)) {
    data.bits = params->storageBits;
    data.isSigned = params->isSigned;
    data.typeScales.assign(params->scales.begin(), params->scales.end());
    if (!llvm::all_equal(params->zeroPoints))
      return std::nullopt;
    data.typeZeroPoint = params->zeroPoints.front();
  } else if (auto intType = dyn_cast<IntegerType>(element)) {
    data.bits = intType.getWidth();
  } else {
    return std::nullopt;
  }
  auto values = getConstInts(weight, !data.isSigned);
  if (!values)
    return std::nullopt;
  data.values = std::move(*values);
  return data;
}

/// Weight scales for `channels` output channels when the weight has no
/// quantized type: the ratios of a per-channel rescale that is the
/// product's only user, else 1.0.
static SmallVector<double> assignWeightScales(Operation *product,
                                              int64_t channels) {
  SmallVector<double> scales(channels, 1.0);
  Value result = product->getResult(0);
  if (!result.hasOneUse())
    return scales;
  auto rescale = dyn_cast<tosa::RescaleOp>(*result.getUsers().begin());
  if (!rescale || !rescale.getPerChannel())
    return scales;
  auto multipliers = getConstInts(rescale.getMultiplier());
  auto shifts = getConstInts(rescale.getShift());
  if (!multipliers || !shifts ||
      static_cast<int64_t>(multipliers->size()) != channels ||
      shifts->size() != multipliers->size())
    return scales;
  SmallVector<double> ratios;
  for (int64_t c = 0; c < channels; ++c) {
    auto m = normalizeMultiplier((*multipliers)[c], (*shifts)[c]);
    if (!m)
      return scales;
    ratios.push_back(numerics::scaleMultiplierValue(*m));
  }
  for (int64_t c = 0; c < channels; ++c)
    scales[c] = ratios[c] / ratios[0];
  return scales;
}

/// The operands and accumulator type of an integer product.
struct QuantizedProduct {
  Value weight;
  Value bias;
  RankedTensorType resultType;
};

/// Builds the quantized weight, bias and accumulator type of an integer
/// product. `weight` is already in mote's layout (`data`) with output
/// channels on `weightAxis`; the accumulator's channels are on `outAxis`.
template <typename PatternT>
static FailureOr<QuantizedProduct>
buildQuantizedProduct(const PatternT &pattern, PatternRewriter &rewriter,
                      Operation *op, Value input, Value inputZp,
                      WeightData &data, Value weightZp, int64_t weightAxis,
                      Value bias, RankedTensorType outType, int64_t outAxis) {
  Location loc = op->getLoc();
  MLIRContext *context = op->getContext();
  auto in = getQuantParams(input.getType());
  if (!in || in->isPerAxis())
    return pattern.fail(op, "integer input must be quantized per tensor");
  if (in->storageBits > 8)
    return pattern.fail(op, "only 8-bit (or narrower) integer inputs are "
                            "supported; int16 activations (acc_type i48) "
                            "have no mote form");
  auto inZp = getZeroPoint(inputZp, !in->isSigned);
  if (!inZp || *inZp != in->zeroPoints[0])
    return pattern.fail(op, "input zero point operand does not match the "
                            "zero point " +
                                Twine(in->zeroPoints[0]) +
                                " of the input's (assigned) type");
  auto wZp = getZeroPoint(weightZp, !data.isSigned);
  if (!wZp)
    return pattern.fail(op, "weight zero point must be a constant");
  if (data.typeZeroPoint && *data.typeZeroPoint != *wZp)
    return pattern.fail(op, "weight zero point operand disagrees with the "
                            "weight's quantized type");

  int64_t channels = data.shape[weightAxis];
  SmallVector<double> weightScales;
  if (data.typeScales.size() == static_cast<size_t>(channels))
    weightScales = data.typeScales;
  else if (data.typeScales.size() == 1)
    weightScales.assign(channels, data.typeScales[0]);
  else if (data.typeScales.empty())
    weightScales = assignWeightScales(op, channels);
  else
    return pattern.fail(op, "weight is quantized along an axis that is not "
                            "its output channel");

  // The weight constant in mote's layout.
  auto storageType = RankedTensorType::get(
      data.shape, IntegerType::get(context, data.bits));
  SmallVector<int64_t> zeroPoints(channels, *wZp);
  Type weightElement = makeQuantTypeForScales(
      context, data.bits, data.isSigned, weightScales, zeroPoints,
      static_cast<int32_t>(weightAxis));
  Value weight = ConstantOp::create(
      rewriter, loc, RankedTensorType::get(data.shape, weightElement),
      makeIntElements(storageType, data.values, "weight"));

  // Accumulator scales s_x·s_w[o], zero point 0.
  SmallVector<double> accScales;
  for (double s : weightScales)
    accScales.push_back(in->scales[0] * s);
  SmallVector<int64_t> zeros(channels, 0);
  Type accElement = makeQuantTypeForScales(context, 32, true, accScales, zeros,
                                           static_cast<int32_t>(outAxis));

  Value newBias;
  if (bias) {
    auto biasValues = getConstInts(bias);
    auto biasType = getTensorType(bias);
    auto biasParams = getQuantParams(biasType);
    unsigned biasBits =
        biasParams ? biasParams->storageBits
                   : biasType.getElementType().getIntOrFloatBitWidth();
    if (!biasValues || biasBits != 32)
      return pattern.fail(op, "integer bias must be an i32 constant");
    if (biasValues->size() == 1)
      biasValues->assign(channels, biasValues->front());
    if (static_cast<int64_t>(biasValues->size()) != channels)
      return pattern.fail(op, "bias must have one value per output channel");
    Type biasElement = makeQuantTypeForScales(context, 32, true, accScales,
                                              zeros, /*axis=*/0);
    auto biasStorage =
        RankedTensorType::get({channels}, IntegerType::get(context, 32));
    newBias = ConstantOp::create(
        rewriter, loc, RankedTensorType::get({channels}, biasElement),
        makeIntElements(biasStorage, *biasValues, "bias"));
  }
  return QuantizedProduct{weight, newBias, outType.clone(accElement)};
}

/// Float bias of `channels` values (TOSA allows a one-element bias).
template <typename PatternT>
static FailureOr<Value> floatBias(const PatternT &pattern,
                                  PatternRewriter &rewriter, Operation *op,
                                  Value bias, int64_t channels) {
  auto type = getTensorType(bias);
  if (type.getNumElements() == channels)
    return bias;
  auto values = getConstFloats(bias);
  if (!values || values->size() != 1)
    return pattern.fail(op, "a one-element bias must be constant to be "
                            "broadcast to the output channels");
  auto newType = RankedTensorType::get({channels}, rewriter.getF32Type());
  std::vector<float> expanded(channels, values->front());
  return Value(ConstantOp::create(
      rewriter, op->getLoc(), newType,
      makeFloatElements(newType, expanded, "bias")));
}

/// Checks that float zero-point operands are zero.
static bool floatZeroPointsAreZero(ValueRange zeroPoints) {
  return llvm::all_of(zeroPoints, [](Value zp) {
    auto v = getZeroPoint(zp);
    return v && *v == 0;
  });
}

template <typename OpTy>
struct ConvPattern : TosaPattern<OpTy> {
  using TosaPattern<OpTy>::TosaPattern;
  static constexpr bool isDepthwise =
      std::is_same_v<OpTy, tosa::DepthwiseConv2DOp>;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput();
    if (!isConverted(input))
      return failure();
    auto outType = getTensorType(op.getResult());
    auto weightType = getTensorType(op.getWeight());
    if (!outType || !outType.hasStaticShape() || !weightType ||
        !weightType.hasStaticShape())
      return this->fail(op, "weight and result must have static shapes");
    Location loc = op.getLoc();
    // Depthwise: [KH, KW, C, M] → OHWI [C·M, KH, KW, 1], groups = C.
    int64_t kh = weightType.getDimSize(0), kw = weightType.getDimSize(1);
    int64_t c = weightType.getDimSize(2), m = weightType.getDimSize(3);
    int64_t groups = isDepthwise ? c : 1;
    int64_t channels = outType.getDimSize(3);
    auto toOhwi = [&](auto &values) {
      std::decay_t<decltype(values)> out(values.size());
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          for (int64_t ci = 0; ci < c; ++ci)
            for (int64_t mi = 0; mi < m; ++mi)
              out[((ci * m + mi) * kh + y) * kw + x] =
                  values[((y * kw + x) * c + ci) * m + mi];
      values = std::move(out);
    };
    SmallVector<int64_t> ohwi = {c * m, kh, kw, 1};

    if (isF32Tensor(input.getType())) {
      if (!isF32Tensor(op.getWeight().getType()) ||
          !isF32Tensor(op.getBias().getType()))
        return this->fail(op, "float input needs f32 weight and bias");
      if (!isConverted(op.getWeight()) || !isConverted(op.getBias()))
        return failure();
      if (!floatZeroPointsAreZero({op.getInputZp(), op.getWeightZp()}))
        return this->fail(op, "float zero points must be 0");
      Value weight = op.getWeight();
      if (isDepthwise) {
        auto values = getConstFloats(weight);
        if (!values)
          return this->fail(op, "depthwise weights must be constant (their "
                                "layout changes at compile time)");
        toOhwi(*values);
        auto type = RankedTensorType::get(ohwi, rewriter.getF32Type());
        weight = ConstantOp::create(rewriter, loc, type,
                                    makeFloatElements(type, *values, "weight"));
      }
      auto bias = floatBias(*this, rewriter, op, op.getBias(), channels);
      if (failed(bias))
        return failure();
      rewriter.replaceOpWithNewOp<Conv2DOp>(
          op, outType, input, weight, *bias, op.getStrideAttr(),
          op.getDilationAttr(), op.getPadAttr(),
          rewriter.getI64IntegerAttr(groups));
      return success();
    }

    auto data = readWeight(op.getWeight());
    if (!data)
      return this->fail(op, "integer weights must be constant");
    if (isDepthwise) {
      toOhwi(data->values);
      data->shape = ohwi;
    }
    auto product = buildQuantizedProduct(
        *this, rewriter, op, input, op.getInputZp(), *data, op.getWeightZp(),
        /*weightAxis=*/0, op.getBias(), outType, /*outAxis=*/3);
    if (failed(product))
      return failure();
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        op, product->resultType, input, product->weight, product->bias,
        op.getStrideAttr(), op.getDilationAttr(), op.getPadAttr(),
        rewriter.getI64IntegerAttr(groups));
    return success();
  }
};

struct MatMulPattern : TosaPattern<tosa::MatMulOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Value a = op.getA(), b = op.getB();
    if (!isConverted(a))
      return failure();
    auto outType = getTensorType(op.getResult());
    if (!outType || !outType.hasStaticShape())
      return fail(op, "result must have a static shape");
    if (isF32Tensor(a.getType())) {
      if (!isConverted(b))
        return failure();
      if (!floatZeroPointsAreZero({op.getAZp(), op.getBZp()}))
        return fail(op, "float zero points must be 0");
      rewriter.replaceOpWithNewOp<MatMulOp>(op, TypeRange{outType},
                                            ValueRange{a, b});
      return success();
    }
    // An activation × activation product: both operands carry scales.
    if (isConverted(b) && !isConstant(b)) {
      auto pa = getQuantParams(a.getType()), pb = getQuantParams(b.getType());
      if (!pa || !pb || pa->isPerAxis() || pb->isPerAxis())
        return fail(op, "integer operands must be quantized per tensor");
      auto za = getZeroPoint(op.getAZp(), !pa->isSigned);
      auto zb = getZeroPoint(op.getBZp(), !pb->isSigned);
      if (!za || !zb || *za != pa->zeroPoints[0] || *zb != pb->zeroPoints[0])
        return fail(op, "zero point operands do not match the operands' "
                        "(assigned) types");
      Type acc = makeQuantType(getContext(), 32, true,
                               pa->scales[0] * pb->scales[0], 0);
      rewriter.replaceOpWithNewOp<MatMulOp>(op, TypeRange{outType.clone(acc)},
                                            ValueRange{a, b});
      return success();
    }
    auto data = readWeight(b);
    if (!data)
      return fail(op, "integer right-hand operand must be a constant or a "
                      "converted quantized tensor");
    auto product = buildQuantizedProduct(
        *this, rewriter, op, a, op.getAZp(), *data, op.getBZp(),
        /*weightAxis=*/2, Value(), outType, /*outAxis=*/2);
    if (failed(product))
      return failure();
    // The generic builder: MatMulOp's (Type, Value, Value) builder takes an
    // element type.
    rewriter.replaceOpWithNewOp<MatMulOp>(
        op, TypeRange{product->resultType}, ValueRange{a, product->weight});
    return success();
  }
};

} // namespace

void populateProductPatterns(RewritePatternSet &patterns,
                             ConversionState &state) {
  patterns.add<ConvPattern<tosa::Conv2DOp>,
               ConvPattern<tosa::DepthwiseConv2DOp>, MatMulPattern>(
      patterns.getContext(), state);
}

} // namespace mote::tosa_to_mote
