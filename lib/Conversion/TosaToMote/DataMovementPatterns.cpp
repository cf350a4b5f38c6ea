//===- DataMovementPatterns.cpp - reshape, transpose, pad, concat ---------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Data movement keeps the element type of its input (a quantized tensor
// keeps its scale). Shapes given as !tosa.shape operands are read from
// tosa.const_shape; the static result type already states the new shape.
// Constant inputs fold at once, so that constant subgraphs (reshaped batch
// norm parameters, transposed weights) stay constant for later patterns.
//
//===----------------------------------------------------------------------===//

#include "TosaToMoteCommon.h"

#include "Mote/MoteAttrUtils.h"
#include "Mote/MoteOps.h"
#include "Mote/MoteTypeUtils.h"

using namespace mlir;

namespace mote::tosa_to_mote {
namespace {

/// Replaces `op` by `newOp`'s result, folding it when its input is constant.
static void replaceAndFold(PatternRewriter &rewriter, Operation *op,
                           Operation *newOp) {
  SmallVector<OpFoldResult, 1> folded;
  if (succeeded(newOp->fold(folded)) && folded.size() == 1) {
    if (auto value = dyn_cast<Value>(folded[0])) {
      rewriter.replaceOp(op, value);
      rewriter.eraseOp(newOp);
      return;
    }
    auto attr = dyn_cast<TypedAttr>(cast<Attribute>(folded[0]));
    auto elements = dyn_cast_if_present<ElementsAttr>(attr);
    if (elements) {
      Value constant = ConstantOp::create(
          rewriter, op->getLoc(),
          cast<RankedTensorType>(newOp->getResult(0).getType()), elements);
      rewriter.replaceOp(op, constant);
      rewriter.eraseOp(newOp);
      return;
    }
  }
  rewriter.replaceOp(op, newOp->getResults());
}

struct ReshapePattern : TosaPattern<tosa::ReshapeOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput1();
    auto outType = getTensorType(op.getResult());
    if (!outType || !outType.hasStaticShape())
      return fail(op, "result must have a static shape");
    // Plain-integer constants (weights) stay TOSA constants, reshaped.
    if (auto intType =
            dyn_cast<IntegerType>(getTensorType(input).getElementType())) {
      auto data = getConstInts(input);
      if (!data)
        return fail(op, "integer input must be a constant or converted");
      rewriter.replaceOpWithNewOp<tosa::ConstOp>(
          op, outType, makeIntElements(outType, *data, "reshaped"));
      return success();
    }
    if (!isConverted(input))
      return failure();
    auto shape = getConstInts(op.getShape());
    if (!shape || ArrayRef<int64_t>(*shape) != outType.getShape())
      return fail(op, "shape operand must be a tosa.const_shape equal to the "
                      "result shape");
    Type element = getTensorType(input).getElementType();
    if (isa<quant::UniformQuantizedPerAxisType>(element))
      return fail(op, "reshaping a per-axis quantized tensor is not "
                      "supported");
    auto newOp = ReshapeOp::create(rewriter, op.getLoc(),
                                   outType.clone(element), input);
    replaceAndFold(rewriter, op, newOp);
    return success();
  }
};

struct TransposePattern : TosaPattern<tosa::TransposeOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput1();
    SmallVector<int64_t> perms(op.getPerms().begin(), op.getPerms().end());
    // Constants (transposed weights) are permuted at compile time.
    auto inType = getTensorType(input);
    SmallVector<int64_t> shape;
    if (isConverted(input) && inType.getElementType().isF32()) {
      if (auto data = getConstFloats(input)) {
        std::vector<float> out =
            transposeData<float>(*data, inType.getShape(), perms, shape);
        auto type = RankedTensorType::get(shape, rewriter.getF32Type());
        rewriter.replaceOpWithNewOp<ConstantOp>(
            op, type, makeFloatElements(type, out, "transposed"));
        return success();
      }
    }
    if (auto intType = dyn_cast<IntegerType>(inType.getElementType())) {
      auto data = getConstInts(input);
      if (!data)
        return fail(op, "integer input must be a constant or converted");
      std::vector<int64_t> out =
          transposeData<int64_t>(*data, inType.getShape(), perms, shape);
      auto type = RankedTensorType::get(shape, intType);
      rewriter.replaceOpWithNewOp<tosa::ConstOp>(
          op, type, makeIntElements(type, out, "transposed"));
      return success();
    }
    if (!isConverted(input))
      return failure();
    auto newOp = TransposeOp::create(rewriter, op.getLoc(), input, perms);
    replaceAndFold(rewriter, op, newOp);
    return success();
  }
};

struct PadPattern : TosaPattern<tosa::PadOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::PadOp op,
                                PatternRewriter &rewriter) const override {
    Value input = op.getInput1();
    if (!isConverted(input))
      return failure();
    auto outType = getTensorType(op.getResult());
    auto inType = getTensorType(input);
    if (!outType || !outType.hasStaticShape())
      return fail(op, "result must have a static shape");
    auto pads = getConstInts(op.getPadding());
    if (!pads)
      return fail(op, "padding must be a tosa.const_shape");
    // The pad value is a real number in mote.
    float value = 0.0f;
    if (auto params = getQuantParams(inType)) {
      if (params->isPerAxis())
        return fail(op, "padding a per-axis quantized tensor is not "
                        "supported");
      auto q = getConstInts(op.getPadConst(), !params->isSigned);
      if (!q || q->size() != 1)
        return fail(op, "pad_const must be a one-element constant");
      value = static_cast<float>(numerics::dequantize(
          q->front(), params->scales[0], params->zeroPoints[0]));
      if (numerics::quantize(value, params->scales[0], params->zeroPoints[0],
                             params->storageMin, params->storageMax) !=
          q->front())
        return fail(op, "pad_const does not map exactly to a real value");
    } else {
      auto f = getConstFloats(op.getPadConst());
      if (!f || f->size() != 1)
        return fail(op, "pad_const must be a one-element constant");
      value = f->front();
    }
    auto newOp = PadOp::create(rewriter, op.getLoc(),
                               outType.clone(inType.getElementType()), input,
                               rewriter.getDenseI64ArrayAttr(*pads),
                               rewriter.getF32FloatAttr(value));
    replaceAndFold(rewriter, op, newOp);
    return success();
  }
};

struct ConcatPattern : TosaPattern<tosa::ConcatOp> {
  using TosaPattern::TosaPattern;
  LogicalResult matchAndRewrite(tosa::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (!allConverted(op.getInput1()))
      return failure();
    auto outType = getTensorType(op.getResult());
    if (!outType || !outType.hasStaticShape())
      return fail(op, "result must have a static shape");
    Type element = getTensorType(op.getInput1().front()).getElementType();
    for (Value v : op.getInput1())
      if (getTensorType(v).getElementType() != element)
        return fail(op, "integer inputs have different scales or zero "
                        "points; TOSA concatenates raw integers, which mote "
                        "expresses exactly only for equal types");
    auto newOp = ConcatOp::create(rewriter, op.getLoc(), outType.clone(element),
                                  op.getInput1(),
                                  rewriter.getI64IntegerAttr(op.getAxis()));
    replaceAndFold(rewriter, op, newOp);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(RewritePatternSet &patterns,
                                  ConversionState &state) {
  patterns.add<ReshapePattern, TransposePattern, PadPattern, ConcatPattern>(
      patterns.getContext(), state);
}

} // namespace mote::tosa_to_mote
